package stream

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/segmentio/kafka-go"
)

// HistoryOptions bound ReadHistory. Zero fields take the defaults.
type HistoryOptions struct {
	// Since is the earliest record time read, by the records' Kafka
	// timestamps. Default (zero): each partition's first retained record.
	Since time.Time
	// Max is the most records read, over all partitions. Default (0): no
	// limit.
	Max int
	// Idle is how long a partition may deliver nothing before ReadHistory
	// asks the broker whether anything is left below the end it is reading
	// to (the offsets of transaction markers and compacted records have no
	// record). Default: 5s.
	Idle time.Duration
}

// ReadHistory reads the records of topic from o.Since up to the end each
// partition had when it was called, one partition after another, and
// calls fn with each record's value (valid until fn returns); it returns
// the number of records read. It joins no consumer group and commits
// nothing, so a running processor is not disturbed. It is how the command
// line tools read a history of posts straight from Kafka. It is
// OpenHistory followed by History.Read.
func ReadHistory(ctx context.Context, cc ClientConfig, topic string, o HistoryOptions, fn func(value []byte) error) (int, error) {
	h, err := OpenHistory(ctx, cc, topic, o)
	if err != nil {
		return 0, err
	}
	return h.Read(ctx, fn)
}

// History is the part of a topic ReadHistory reads, fixed when it was
// opened.
type History struct {
	cc     ClientConfig
	topic  string
	o      HistoryOptions
	ranges []offsetRange
}

// OpenHistory asks the brokers where the history of topic starts and ends
// in each partition, so that a missing topic or an unreachable or refusing
// broker is an error here, before any record is read.
func OpenHistory(ctx context.Context, cc ClientConfig, topic string, o HistoryOptions) (*History, error) {
	if err := cc.validate(); err != nil {
		return nil, err
	}
	if o.Idle <= 0 {
		o.Idle = 5 * time.Second
	}
	ranges, err := historyRanges(ctx, cc, topic, o.Since)
	if err != nil {
		return nil, err
	}
	return &History{cc: cc, topic: topic, o: o, ranges: ranges}, nil
}

// Offsets is the number of offsets in the history, over all partitions:
// the records to read, unless Max is smaller or some offsets hold no
// record (transaction markers, compacted records).
func (h *History) Offsets() int64 {
	var n int64
	for _, r := range h.ranges {
		n += r.end - r.start
	}
	return n
}

// Read reads the history, calling fn with each record's value, and returns
// the number of records read.
func (h *History) Read(ctx context.Context, fn func(value []byte) error) (int, error) {
	n := 0
	for _, r := range h.ranges {
		if h.o.Max > 0 && n >= h.o.Max {
			break
		}
		m, err := readRange(ctx, h.cc, h.topic, r, h.o, h.o.Max-n, fn)
		n += m
		if err != nil {
			return n, fmt.Errorf("topic %s partition %d: %w", h.topic, r.partition, err)
		}
	}
	return n, nil
}

// offsetRange is the records of one partition to read: [start, end).
type offsetRange struct {
	partition  int
	start, end int64
}

// historyRanges asks the brokers for each partition's end offset and for
// the first offset at or after since (the first retained offset when
// since is zero).
func historyRanges(ctx context.Context, cc ClientConfig, topic string, since time.Time) ([]offsetRange, error) {
	c := &kafka.Client{Addr: kafka.TCP(cc.Brokers...), Transport: cc.transport(), Timeout: 30 * time.Second}
	md, err := c.Metadata(ctx, &kafka.MetadataRequest{Topics: []string{topic}})
	if err != nil {
		return nil, fmt.Errorf("metadata of topic %s: %w", topic, err)
	}
	if len(md.Topics) != 1 || md.Topics[0].Error != nil {
		var terr error = errors.New("no such topic")
		if len(md.Topics) == 1 {
			terr = md.Topics[0].Error
		}
		return nil, fmt.Errorf("topic %s: %w", topic, terr)
	}
	var ends, starts []kafka.OffsetRequest
	for _, p := range md.Topics[0].Partitions {
		ends = append(ends, kafka.LastOffsetOf(p.ID))
		if since.IsZero() {
			starts = append(starts, kafka.FirstOffsetOf(p.ID))
		} else {
			starts = append(starts, kafka.TimeOffsetOf(p.ID, since))
		}
	}
	list := func(reqs []kafka.OffsetRequest) (map[int]kafka.PartitionOffsets, error) {
		res, err := c.ListOffsets(ctx, &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{topic: reqs}})
		if err != nil {
			return nil, fmt.Errorf("offsets of topic %s: %w", topic, err)
		}
		out := map[int]kafka.PartitionOffsets{}
		for _, po := range res.Topics[topic] {
			if po.Error != nil {
				return nil, fmt.Errorf("offsets of topic %s partition %d: %w", topic, po.Partition, po.Error)
			}
			out[po.Partition] = po
		}
		return out, nil
	}
	endOf, err := list(ends)
	if err != nil {
		return nil, err
	}
	startOf, err := list(starts)
	if err != nil {
		return nil, err
	}
	var rs []offsetRange
	for _, p := range md.Topics[0].Partitions {
		end := endOf[p.ID].LastOffset
		start := startOf[p.ID].FirstOffset
		if !since.IsZero() {
			start = end // no record at or after since
			for off := range startOf[p.ID].Offsets {
				if off >= 0 {
					start = off
				}
			}
		}
		if start >= 0 && start < end {
			rs = append(rs, offsetRange{partition: p.ID, start: start, end: end})
		}
	}
	slices.SortFunc(rs, func(a, b offsetRange) int { return a.partition - b.partition })
	return rs, nil
}

// readRange reads one partition's range, at most max records (no limit
// when max <= 0 and o.Max is 0).
func readRange(ctx context.Context, cc ClientConfig, topic string, r offsetRange, o HistoryOptions, max int, fn func([]byte) error) (int, error) {
	rd := kafka.NewReader(kafka.ReaderConfig{
		Brokers: cc.Brokers, Topic: topic, Partition: r.partition, Dialer: cc.dialer(),
		MinBytes: 1, MaxBytes: 10 << 20, MaxWait: 500 * time.Millisecond,
	})
	defer rd.Close()
	if err := rd.SetOffset(r.start); err != nil {
		return 0, err
	}
	n := 0
	for rd.Offset() < r.end && (o.Max <= 0 || n < max) {
		rctx, cancel := context.WithTimeout(ctx, o.Idle)
		m, err := rd.ReadMessage(rctx)
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				return n, ctx.Err()
			}
			if !errors.Is(err, context.DeadlineExceeded) {
				return n, err
			}
			// Nothing for a while: if the broker has no record left below
			// the end (markers or compacted offsets), the range is done.
			lag, lerr := rd.ReadLag(ctx)
			if lerr != nil {
				return n, lerr
			}
			if lag <= 0 {
				return n, nil
			}
			continue
		}
		if m.Offset >= r.end {
			break
		}
		if err := fn(m.Value); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
