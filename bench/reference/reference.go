// Package reference is the comparison pipeline of the end-to-end benchmarks:
// socialpulse's job (sentiment and feature per post, counts per minute in
// Redis) written the way most teams would write it first. A kafka-go Reader
// in a consumer group with periodic auto-commit, encoding/json into a
// struct, govader for sentiment, a per-post substring search for the
// taxonomy's terms, and Redis HINCRBYs pipelined per batch of posts.
//
// It is meant to be a fair baseline, not a straw man: reads use the same
// fetch sizes as socialpulse, Redis writes are pipelined, and the tagger's
// terms are lower-cased once. It does not give the guarantees socialpulse
// does (commits run ahead of the Redis writes, so a crash loses or repeats
// counts), which only makes it faster.
package reference

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jonreiter/govader"
	"github.com/redis/go-redis/v9"
	"github.com/segmentio/kafka-go"

	"github.com/socialpulse/socialpulse/feature"
)

// Options configure a Pipeline.
type Options struct {
	Brokers []string
	Topic   string
	Group   string
	Redis   redis.UniversalClient
	// KeyPrefix starts every Redis key. Required.
	KeyPrefix string
	// Total is the number of records after which Run returns.
	Total int64
	// BatchSize is the posts per Redis pipeline. Default: 1000.
	BatchSize int
	// Taxonomy supplies the feature terms. Default: feature.DefaultTaxonomy().
	Taxonomy *feature.Taxonomy
	// Retention is the TTL set on each minute's hash. Default: 336h.
	Retention time.Duration
}

// inPost is the part of the wire format the pipeline reads.
type inPost struct {
	ID        string `json:"id"`
	Text      string `json:"text"`
	CreatedAt string `json:"created_at"`
	Author    struct {
		Followers int64 `json:"followers"`
	} `json:"author"`
}

type term struct {
	feature string
	text    string
}

// Pipeline is the reference processor. Build it with New and call Run once.
type Pipeline struct {
	o         Options
	vader     *govader.SentimentIntensityAnalyzer
	terms     [][]term // per feature
	processed atomic.Int64
	invalid   atomic.Int64
}

// New returns a Pipeline; it does not contact Kafka or Redis.
func New(o Options) (*Pipeline, error) {
	if len(o.Brokers) == 0 || o.Topic == "" || o.Group == "" || o.Redis == nil || o.KeyPrefix == "" || o.Total <= 0 {
		return nil, errors.New("reference: brokers, topic, group, redis, key prefix and a positive total are required")
	}
	if o.BatchSize <= 0 {
		o.BatchSize = 1000
	}
	if o.Taxonomy == nil {
		o.Taxonomy = feature.DefaultTaxonomy()
	}
	if o.Retention <= 0 {
		o.Retention = 14 * 24 * time.Hour
	}
	p := &Pipeline{o: o, vader: govader.NewSentimentIntensityAnalyzer()}
	for _, f := range o.Taxonomy.Features {
		var ts []term
		for _, t := range f.Terms {
			ts = append(ts, term{feature: f.ID, text: strings.ToLower(t)})
		}
		p.terms = append(p.terms, ts)
	}
	return p, nil
}

// Processed is the number of records whose counts are in Redis (invalid
// records count once read). It is safe to call while Run runs.
func (p *Pipeline) Processed() int64 { return p.processed.Load() }

// Invalid is the number of records that were not valid posts.
func (p *Pipeline) Invalid() int64 { return p.invalid.Load() }

// Run joins the group from the earliest offset and returns nil once Total
// records are read and their counts written, or an error.
func (p *Pipeline) Run(ctx context.Context) error {
	r := kafka.NewReader(kafka.ReaderConfig{
		Brokers:        p.o.Brokers,
		GroupID:        p.o.Group,
		Topic:          p.o.Topic,
		MinBytes:       1,
		MaxBytes:       8 << 20,
		MaxWait:        500 * time.Millisecond,
		QueueCapacity:  1000,
		CommitInterval: time.Second, // ReadMessage commits in the background
		StartOffset:    kafka.FirstOffset,
	})
	defer r.Close()

	pipe := p.o.Redis.Pipeline()
	keys := map[string]time.Time{} // hashes touched by the batch → bucket start
	var read, inBatch int64
	flush := func() error {
		for k, start := range keys {
			pipe.ExpireAt(ctx, k, start.Add(time.Minute+p.o.Retention))
		}
		if _, err := pipe.Exec(ctx); err != nil {
			return fmt.Errorf("reference: redis write: %w", err)
		}
		clear(keys)
		p.processed.Add(inBatch)
		inBatch = 0
		return nil
	}
	for read < p.o.Total {
		m, err := r.ReadMessage(ctx)
		if err != nil {
			return fmt.Errorf("reference: read %s: %w", p.o.Topic, err)
		}
		read++
		inBatch++
		p.handle(ctx, pipe, keys, &m)
		if inBatch >= int64(p.o.BatchSize) || read == p.o.Total {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return nil
}

// handle queues one post's increments on pipe.
func (p *Pipeline) handle(ctx context.Context, pipe redis.Pipeliner, keys map[string]time.Time, m *kafka.Message) {
	var in inPost
	if err := json.Unmarshal(m.Value, &in); err != nil || in.ID == "" || in.Text == "" {
		p.invalid.Add(1)
		return
	}
	t := m.Time
	if in.CreatedAt != "" {
		ct, err := time.Parse(time.RFC3339, in.CreatedAt)
		if err != nil {
			p.invalid.Add(1)
			return
		}
		t = ct
	}
	s := p.vader.PolarityScores(in.Text)
	class := "neu"
	switch {
	case s.Compound >= 0.05:
		class = "pos"
	case s.Compound <= -0.05:
		class = "neg"
	}
	start := t.Truncate(time.Minute)
	key := p.o.KeyPrefix + ":" + strconv.FormatInt(start.Unix(), 10)
	keys[key] = start
	score := int64(math.Round(s.Compound * 1e6))
	reach := int64(math.Round((1 + math.Log10(1+float64(max(in.Author.Followers, 0)))) * 1e6))
	feats := p.tag(in.Text)
	if len(feats) == 0 {
		feats = append(feats, feature.OtherID)
	}
	for _, f := range feats {
		pipe.HIncrBy(ctx, key, f+"|"+class+"|n", 1)
		pipe.HIncrBy(ctx, key, f+"|"+class+"|s", score)
		pipe.HIncrBy(ctx, key, f+"|"+class+"|r", reach)
	}
}

// tag returns the features one of whose terms occurs in text.
func (p *Pipeline) tag(text string) []string {
	lower := strings.ToLower(text)
	var feats []string
	for _, ts := range p.terms {
		for _, t := range ts {
			if strings.Contains(lower, t.text) {
				feats = append(feats, t.feature)
				break
			}
		}
	}
	return feats
}
