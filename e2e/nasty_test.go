package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/segmentio/kafka-go"

	"github.com/socialpulse/socialpulse/enrich"
	"github.com/socialpulse/socialpulse/feature"
	"github.com/socialpulse/socialpulse/impactmatrix"
	"github.com/socialpulse/socialpulse/internal/testenv"
	"github.com/socialpulse/socialpulse/pipeline"
	"github.com/socialpulse/socialpulse/post"
	"github.com/socialpulse/socialpulse/sentiment"
)

// Sizes the nasty corpus is built around.
const (
	// brokerDefaultMaxMessage is Kafka's default message.max.bytes (1 MiB
	// plus the record batch overhead): a default topic refuses a larger batch.
	brokerDefaultMaxMessage = 1048588
	// nastyTopicMaxMessage is the input topic's max.message.bytes, raised so
	// the corpus can hold records over the default and over the consumer's
	// default fetch size (8 MiB). The dead-letter topic keeps the default.
	nastyTopicMaxMessage = 10 << 20
	// maxFutureSkew is the processor's default matrix.max_future_skew.
	maxFutureSkew = 10 * time.Minute
)

// nastyCase is one record of the corpus and the outcome the product
// documents for it: counted in the matrix, or dead-lettered with reason.
type nastyCase struct {
	name    string
	value   []byte // nil: a record without a value
	headers []kafka.Header
	// kafkaTime is the record's Kafka timestamp; zero means the produce time.
	kafkaTime time.Time
	// reason is the dead-letter reason; empty means the post is counted.
	reason post.Reason
	// clampedTime: both created_at and the Kafka timestamp are beyond the
	// future skew, so the post is counted at the time it was processed.
	clampedTime bool
	// truncated: the dead letter is larger than the dead-letter topic
	// accepts, so it holds a cut copy (see pipeline.HeaderTruncated).
	truncated bool
	// duplicate: a valid post whose id the partition already counted within
	// the dedupe window, so it is neither counted nor dead-lettered.
	duplicate bool

	// set when produced
	key        string
	partition  int
	offset     int64
	producedAt time.Time // the Kafka timestamp the record got, to the millisecond
	canary     bool
}

func counted(name, value string) nastyCase { return nastyCase{name: name, value: []byte(value)} }

func rejected(name string, reason post.Reason, value string) nastyCase {
	return nastyCase{name: name, value: []byte(value), reason: reason}
}

// nastyIDs numbers the ids of withText and withCreatedAt, so that only the
// duplicate-id cases share an id.
var nastyIDs atomic.Int64

// withText is a valid post with the given text, as JSON.
func withText(text string) string {
	b, _ := json.Marshal(text)
	return `{"id":"nasty-text-` + strconv.FormatInt(nastyIDs.Add(1), 10) + `","text":` + string(b) + `,"lang":"en"}`
}

// withCreatedAt is a valid post whose created_at is the raw JSON v.
func withCreatedAt(v string) string {
	return `{"id":"nasty-time-` + strconv.FormatInt(nastyIDs.Add(1), 10) + `","text":"the checkout page keeps crashing","created_at":` + v + `}`
}

// nested wraps inner in depth levels of open and close.
func nested(open, inner, close string, depth int) string {
	return strings.Repeat(open, depth) + inner + strings.Repeat(close, depth)
}

// nastyCorpus builds the corpus. now is the produce time.
func nastyCorpus(now time.Time) []nastyCase {
	hashtags := func(n int, tag func(i int) string) string {
		var b strings.Builder
		for i := range n {
			b.WriteString(tag(i))
			b.WriteByte(' ')
		}
		return b.String()
	}
	cs := []nastyCase{
		// Invalid UTF-8: replaced with U+FFFD in strings the decoder reads.
		counted("invalid UTF-8 in text", "{\"id\":\"u1\",\"text\":\"checkout \xff\xfe is broken \xc3(\"}"),
		counted("invalid UTF-8 in id", "{\"id\":\"u\xff2\",\"text\":\"login works again, great\"}"),
		counted("invalid UTF-8 in lang, platform, url and author", "{\"id\":\"u3\",\"text\":\"payment failed\",\"lang\":\"e\xffn\",\"platform\":\"\xc3\",\"url\":\"https://x/\xfe\",\"author\":{\"id\":\"\xff\",\"handle\":\"@\xffann\",\"followers\":5}}"),
		counted("invalid UTF-8 in an unknown field's key and value", "{\"id\":\"u4\",\"text\":\"search is slow\",\"\xff\xfe\":\"\xff\"}"),
		counted("lone surrogate escape in text", `{"id":"u5","text":"refund \ud800 never came"}`),
		rejected("invalid UTF-8 in created_at", post.ReasonBadTime, "{\"id\":\"u6\",\"text\":\"ok\",\"created_at\":\"2026-\xff-01T00:00:00Z\"}"),
		rejected("invalid UTF-8 between JSON tokens", post.ReasonInvalidJSON, "{\"id\":\"u7\",\"text\":\"ok\"\xff}"),

		// Size: text over max_text_bytes (64 KiB) is too_large, whatever the record's size.
		counted("text of exactly 64 KiB", withText(strings.Repeat("a", post.DefaultMaxTextBytes))),
		rejected("text one byte over 64 KiB", post.ReasonTooLarge, withText(strings.Repeat("a", post.DefaultMaxTextBytes+1))),
		rejected("text of 1 MB", post.ReasonTooLarge, withText(strings.Repeat("login fails ", 1_000_000/12))),
		{name: "record that fits a default topic, but not with dead-letter headers", reason: post.ReasonTooLarge, truncated: true,
			value: []byte(withText(strings.Repeat("d", brokerDefaultMaxMessage-300)))},
		{name: "record just over the broker's default max message size", reason: post.ReasonTooLarge, truncated: true,
			value: []byte(withText(strings.Repeat("b", brokerDefaultMaxMessage+100)))},
		{name: "record of 9 MiB, over the consumer's 8 MiB fetch size", reason: post.ReasonTooLarge, truncated: true,
			value: []byte(withText(strings.Repeat("c", 9<<20)))},
		{name: "post with a 1.1 MB id", reason: post.ReasonTooLarge, truncated: true,
			value: []byte(`{"id":"` + strings.Repeat("7", 1_100_000) + `","text":"login works fine now"}`)},
		{name: "post with a 300 KB url and handle", reason: post.ReasonTooLarge,
			value: []byte(`{"id":"big-url","text":"checkout broken","url":"https://x.example/` + strings.Repeat("u", 300_000) + `","author":{"handle":"@` + strings.Repeat("h", 300_000) + `"}}`)},
		{name: "object with a million keys", reason: post.ReasonInvalidJSON, truncated: true,
			value: []byte(`{"id":"keys","text":"login broken"` + strings.Repeat(`,"k":1`, 1_000_000) + `}`)},

		// Hostile links, names and counts.
		rejected("url that breaks out of a Slack link", post.ReasonFieldType, `{"id":"h1","text":"checkout broken","url":"https://ok.example/|Reset your password here> <!channel> <https://evil.example/phish"}`),
		rejected("javascript url", post.ReasonFieldType, `{"id":"h2","text":"checkout broken","url":"javascript:alert(1)"}`),
		rejected("handle with a terminal escape", post.ReasonFieldType, `{"id":"h3","text":"checkout broken","author":{"handle":"@evil\u001b[2J\u001b[H"}}`),
		counted("text with terminal escapes and an OSC 52 clipboard write", withText("checkout broken \x1b[2J\x1b[H\x1b]52;c;ZXZpbA==\x07 \u009b31m")),
		counted("followers at the int64 maximum", `{"id":"h4","text":"checkout broken","author":{"followers":9223372036854775807}}`),
		counted("1 MB unknown field beside a valid post", `{"id":"big-extra","text":"checkout is fine","x":"`+strings.Repeat("x", 1_000_000)+`"}`),

		// Nesting: the parser stops at 300 levels; deeper documents are invalid_json.
		counted("299 nested arrays in an unknown field", `{"id":"n1","text":"login ok","x":`+nested("[", "", "]", 299)+`}`),
		rejected("10,000 nested arrays in an unknown field", post.ReasonInvalidJSON, `{"id":"n2","text":"login ok","x":`+nested("[", "", "]", 10_000)+`}`),
		rejected("10,000 nested objects in an unknown field", post.ReasonInvalidJSON, `{"id":"n3","text":"login ok","x":`+nested(`{"a":`, "1", "}", 10_000)+`}`),
		rejected("10,000 nested arrays as the document", post.ReasonInvalidJSON, nested("[", "", "]", 10_000)),
		rejected("10,000 nested objects as the document", post.ReasonInvalidJSON, nested(`{"a":`, `{"id":"n4","text":"x"}`, "}", 9_999)),
		rejected("10,000 unclosed arrays", post.ReasonInvalidJSON, strings.Repeat("[", 10_000)),

		// Wrong types.
		rejected("text as number", post.ReasonFieldType, `{"id":"w1","text":42}`),
		rejected("text as array", post.ReasonFieldType, `{"id":"w2","text":["login","broken"]}`),
		rejected("text as object", post.ReasonFieldType, `{"id":"w3","text":{"body":"login broken"}}`),
		rejected("text as boolean", post.ReasonFieldType, `{"id":"w4","text":true}`),
		rejected("id as array", post.ReasonFieldType, `{"id":["w5"],"text":"login broken"}`),
		rejected("id as object", post.ReasonFieldType, `{"id":{"v":1},"text":"login broken"}`),
		rejected("id as fraction", post.ReasonFieldType, `{"id":1.5,"text":"login broken"}`),
		rejected("id as boolean", post.ReasonFieldType, `{"id":false,"text":"login broken"}`),
		rejected("id as integer beyond 64 bits", post.ReasonFieldType, `{"id":123456789012345678901234567890,"text":"login broken"}`),
		counted("id as integer", `{"id":-9223372036854775808,"text":"login broken"}`),
		rejected("created_at as object", post.ReasonFieldType, withCreatedAt(`{"seconds":1700000000}`)),
		rejected("created_at as number 0", post.ReasonFieldType, withCreatedAt(`0`)),
		rejected("created_at as negative number", post.ReasonFieldType, withCreatedAt(`-1`)),
		rejected("author as string", post.ReasonFieldType, `{"id":"w6","text":"login broken","author":"@ann"}`),
		rejected("author.followers as string", post.ReasonFieldType, `{"id":"w7","text":"login broken","author":{"followers":"12"}}`),
		rejected("author.followers negative", post.ReasonFieldType, `{"id":"w8","text":"login broken","author":{"followers":-1}}`),
		rejected("author.followers as fraction", post.ReasonFieldType, `{"id":"w9","text":"login broken","author":{"followers":1e3}}`),
		rejected("author.id as object", post.ReasonFieldType, `{"id":"w10","text":"login broken","author":{"id":{}}}`),
		rejected("author.handle as number", post.ReasonFieldType, `{"id":"w11","text":"login broken","author":{"handle":7}}`),
		rejected("lang as number", post.ReasonFieldType, `{"id":"w12","text":"login broken","lang":1}`),
		rejected("platform as boolean", post.ReasonFieldType, `{"id":"w13","text":"login broken","platform":true}`),
		rejected("url as array", post.ReasonFieldType, `{"id":"w14","text":"login broken","url":["https://x"]}`),

		// Nulls and empties.
		rejected("null for every field", post.ReasonMissingField, `{"id":null,"text":null,"created_at":null,"platform":null,"lang":null,"url":null,"author":null}`),
		counted("null for every optional field", `{"id":"z1","text":"payment declined twice","created_at":null,"platform":null,"lang":null,"url":null,"author":{"id":null,"handle":null,"followers":null}}`),
		rejected("text null", post.ReasonMissingField, `{"id":"z2","text":null}`),
		rejected("text empty", post.ReasonMissingField, `{"id":"z3","text":""}`),
		rejected("id empty", post.ReasonMissingField, `{"id":"","text":"login broken"}`),
		rejected("empty object", post.ReasonMissingField, `{}`),
		rejected("empty record value", post.ReasonInvalidJSON, ``),
		{name: "record without a value (tombstone)", value: nil, reason: post.ReasonInvalidJSON},
		rejected("whitespace-only value", post.ReasonInvalidJSON, " \t\r\n "),
		rejected("JSON null document", post.ReasonNotObject, `null`),
		rejected("JSON array document", post.ReasonNotObject, `[{"id":"a","text":"login broken"}]`),
		rejected("JSON string document", post.ReasonNotObject, `"login broken"`),
		rejected("JSON number document", post.ReasonNotObject, `12`),
		rejected("byte order mark before the JSON", post.ReasonInvalidJSON, "\ufeff"+`{"id":"bom","text":"login broken"}`),

		// Texts that are valid but unusual.
		counted("emoji-only text", withText("😡😡😡🔥💳❌")),
		counted("emoji ZWJ sequence text", withText("👩‍💻👨‍👩‍👧 😤")),
		counted("Arabic text", withText("تسجيل الدخول لا يعمل منذ الصباح")),
		counted("Hebrew text", withText("התשלום נכשל שוב ושוב")),
		counted("right-to-left override characters", withText("\u202elogin broken\u202c \u200fpayment\u200e")),
		counted("zero-width space inside login", withText("log\u200bin is broken again")),
		counted("zero-width joiner inside payment", withText("pay\u200dment failed again")),
		counted("byte order mark inside the text", withText("\ufefflogin is broken, pay\ufeffment too")),
		counted("escaped zero-width characters", `{"id":"zw","text":"log\u200bin and pay\u200dment and \ufeffcheckout all broken"}`),

		// Timestamps.
		counted("created_at in year 9999", withCreatedAt(`"9999-12-31T23:59:59Z"`)),
		counted("created_at in year 10000 once in UTC", withCreatedAt(`"9999-12-31T23:59:59.999999999-23:59"`)),
		// Go's zero time.Time, which Go producers write for an unset time:
		// the decoder reads it as no created_at, so the Kafka timestamp counts.
		counted("created_at of Go's zero time", withCreatedAt(`"0001-01-01T00:00:00Z"`)),
		rejected("created_at in year 1", post.ReasonStale, withCreatedAt(`"0001-06-15T12:00:00Z"`)),
		rejected("created_at at the Unix epoch", post.ReasonStale, withCreatedAt(`"1970-01-01T00:00:00Z"`)),
		rejected("created_at as string 0", post.ReasonBadTime, withCreatedAt(`"0"`)),
		rejected("created_at as unix seconds string", post.ReasonBadTime, withCreatedAt(`"1700000000"`)),
		rejected("created_at with negative year", post.ReasonBadTime, withCreatedAt(`"-0001-01-01T00:00:00Z"`)),
		rejected("created_at without T and zone", post.ReasonBadTime, withCreatedAt(`"2026-01-01 10:00:00"`)),
		rejected("created_at in RFC 1123", post.ReasonBadTime, withCreatedAt(`"Mon, 02 Jan 2006 15:04:05 MST"`)),
		rejected("created_at on February 30", post.ReasonBadTime, withCreatedAt(`"2026-02-30T00:00:00Z"`)),
		counted("created_at empty string", withCreatedAt(`""`)),
		// (A Kafka timestamp of exactly 0 is written as "now" by the test's producer.)
		{name: "no created_at and a Kafka timestamp in 1970", value: []byte(`{"id":"k1","text":"login broken"}`),
			kafkaTime: time.Unix(1, 0), reason: post.ReasonStale},
		{name: "created_at in year 9999 and a Kafka timestamp 50 minutes ahead", value: []byte(withCreatedAt(`"9999-01-01T00:00:00Z"`)),
			kafkaTime: now.Add(50 * time.Minute), clampedTime: true},
		{name: "no created_at and a Kafka timestamp 50 minutes ahead", value: []byte(`{"id":"k2","text":"checkout broken"}`),
			kafkaTime: now.Add(50 * time.Minute), clampedTime: true},

		// Duplicate post ids: the matrix is exactly-once per Kafka record
		// (partition and offset), not per post id, so both copies count.
		counted("duplicate id, first copy", `{"id":"dup-1","text":"the login page is broken"}`),
		{name: "duplicate id, second copy on the same partition", duplicate: true, value: []byte(`{"id":"dup-1","text":"the login page is broken"}`)},
		counted("duplicate id, copy on another partition", `{"id":"dup-1","text":"the login page is broken"}`),

		// Control characters.
		counted("escaped control characters in text", `{"id":"c1","text":"login\u0000broken\u0001\u001f\u007f\b\f\n\r\t"}`),
		counted("raw control characters in text", "{\"id\":\"c2\",\"text\":\"login\x00broken\x01\x1f\x7f\ttab\nnewline\"}"),
		rejected("control characters in id", post.ReasonFieldType, `{"id":"c3\u0000\n","text":"payment broken"}`),

		// Trailing data.
		rejected("trailing garbage after the object", post.ReasonInvalidJSON, `{"id":"t1","text":"login broken"} garbage`),
		rejected("two objects in one record", post.ReasonInvalidJSON, `{"id":"t2","text":"login broken"}{"id":"t3","text":"x"}`),
		rejected("trailing comma after the object", post.ReasonInvalidJSON, `{"id":"t4","text":"login broken"},`),
		counted("trailing whitespace after the object", "{\"id\":\"t5\",\"text\":\"login broken\"}\n\t "),

		// Many hashtags.
		counted("8,000 distinct hashtags", withText(hashtags(8_000, func(i int) string { return "#h" + strconv.Itoa(10_000+i) }))),
		counted("5,000 feature hashtags", withText(hashtags(5_000, func(i int) string { return [...]string{"#LoginFail", "#PaymentFail", "#CheckoutFail"}[i%3] }))),
		rejected("hashtags over the text limit", post.ReasonTooLarge, withText(hashtags(20_000, func(i int) string { return "#LoginFail" }))),

		// A dead letter keeps the record's own headers.
		{name: "malformed record with headers", value: []byte(`{"id":`), reason: post.ReasonInvalidJSON,
			headers: []kafka.Header{{Key: "trace-id", Value: []byte("abc123")}, {Key: "empty", Value: nil}}},
	}
	return cs
}

// canaryTexts are valid posts produced after each nasty record.
var canaryTexts = []string{
	"checkout keeps failing at the last step",
	"love the new login page, so fast",
	"payment went through fine today",
	"the app is ok I guess",
}

func canary(i int, now time.Time) nastyCase {
	v := fmt.Sprintf(`{"id":"canary-%d","text":%q,"created_at":%q,"author":{"handle":"@canary","followers":%d}}`,
		i, canaryTexts[i%len(canaryTexts)], now.Add(-30*time.Minute+time.Duration(i)*time.Second).UTC().Format(time.RFC3339Nano), i*10)
	return nastyCase{name: fmt.Sprintf("canary %d", i), value: []byte(v), canary: true}
}

// TestNastyCorpus produces a corpus of hostile records (invalid UTF-8,
// records over the broker's and the consumer's size limits, deep nesting,
// wrong types, nulls, odd timestamps, duplicate ids, control characters,
// trailing garbage, huge hashtag lists), each followed by a valid canary on
// the same partition, over four partitions, and checks with one processor
// that every record is accounted for exactly once: counted (in the matrix
// and the enriched topic) or dead-lettered with the documented reason; that
// no partition stalls; and that the processor stays healthy.
func TestNastyCorpus(t *testing.T) {
	const partitions = 4
	start := time.Now()
	e := newNastyEnv(t, partitions)
	scored := e.prefix + ".scored"
	e.createTopic(scored, 1)

	now := time.Now()
	corpus := nastyCorpus(now)
	var recs []*nastyCase
	for i := range corpus {
		c := &corpus[i]
		c.key = fmt.Sprintf("%03d %s", i, c.name)
		c.partition = i % partitions
		if c.name == "duplicate id, second copy on the same partition" {
			c.partition = recs[len(recs)-2].partition
		}
		cn := canary(i, now)
		cn.key, cn.partition = fmt.Sprintf("%03d canary after %s", i, c.name), c.partition
		recs = append(recs, c, &cn)
	}

	// A topic with the broker's defaults takes the record that only just
	// fits and refuses the one just over: that one exists only because the
	// input topic allows it.
	probe := e.prefix + ".probe"
	e.createTopic(probe, 1)
	fits := recs[2*indexOf(t, corpus, "record that fits a default topic, but not with dead-letter headers")]
	if err := e.produceRecord(probe, 0, &nastyCase{key: fits.key, value: fits.value}); err != nil {
		t.Fatalf("producing %d bytes to a default topic: %v", len(fits.value), err)
	}
	over := corpus[indexOf(t, corpus, "record just over the broker's default max message size")]
	if err := e.produceRecord(probe, 0, &nastyCase{value: over.value}); !errors.Is(err, kafka.MessageSizeTooLarge) {
		t.Fatalf("producing %d bytes to a default topic: got %v, want %v", len(over.value), err, kafka.MessageSizeTooLarge)
	}
	for _, r := range recs {
		if err := e.produceRecord(e.topic, r.partition, r); err != nil {
			t.Fatalf("produce %q: %v", r.key, err)
		}
	}
	t.Logf("produced %d records (%d nasty, each followed by a canary) in %v", len(recs), len(corpus), time.Since(now).Round(time.Millisecond))

	// What the matrix must hold, from the product's own decoder and enricher.
	want, from := expectNasty(t, recs, now)

	addr := freeAddr(t)
	p := e.startProcessor("nasty", "SOCIALPULSE_HTTP_LISTEN="+addr,
		"SOCIALPULSE_KAFKA_ENABLE_SCORED=true", "SOCIALPULSE_KAFKA_SCORED_TOPIC="+scored, "SOCIALPULSE_MATRIX_DEDUPE_WINDOW=10m")
	procStart := time.Now()
	e.waitPartitionsDone(t, partitions, recs, 45*time.Second)
	t.Logf("every partition applied to its end %v after the processor started", time.Since(procStart).Round(time.Millisecond))
	processed := time.Now()

	select {
	case err := <-p.done:
		p.done <- err
		t.Fatalf("processor exited: %v", err)
	default:
	}
	if r := readyz(t, addr); r.status != 200 {
		t.Errorf("processor not ready after the corpus: %v", r)
	}

	dead := e.readTopic(t, e.dlq)
	enriched := e.readTopic(t, scored)
	e.checkNastyOutcomes(t, recs, dead, enriched, procStart.Add(-time.Second), processed)
	e.checkMatrix(t, &feed{want: want, from: from})

	p.stop(t)
	t.Logf("%d records accounted for in %v", len(recs), time.Since(start).Round(time.Millisecond))
}

func indexOf(t *testing.T, cs []nastyCase, name string) int {
	for i := range cs {
		if cs[i].name == name {
			return i
		}
	}
	t.Fatalf("no case %q", name)
	return -1
}

// newNastyEnv is newEnv with an input topic that accepts records up to
// nastyTopicMaxMessage; the dead-letter topic keeps the broker default.
func newNastyEnv(t *testing.T, partitions int) *env {
	t.Helper()
	brokers := testenv.KafkaBrokers(t)
	raddr := testenv.RedisAddr(t)
	name := testenv.UniqueName(t, "e2e")
	e := &env{t: t, brokers: brokers, topic: name + ".posts", dlq: name + ".dlq", group: name, prefix: name}
	e.rdb = redis.NewClient(&redis.Options{Addr: raddr})
	t.Cleanup(func() { e.rdb.Close() })
	var err error
	if e.store, err = impactmatrix.NewStore(e.rdb, impactmatrix.StoreOptions{Prefix: e.prefix}); err != nil {
		t.Fatal(err)
	}
	conn, err := kafka.Dial("tcp", brokers[0])
	if err != nil {
		t.Fatal(err)
	}
	err = conn.CreateTopics(kafka.TopicConfig{Topic: e.topic, NumPartitions: partitions, ReplicationFactor: 1,
		ConfigEntries: []kafka.ConfigEntry{{ConfigName: "max.message.bytes", ConfigValue: strconv.Itoa(nastyTopicMaxMessage)}}})
	conn.Close()
	if err != nil {
		t.Fatalf("create topic %s: %v", e.topic, err)
	}
	e.createTopic(e.dlq, 1)
	return e
}

// produceRecord writes r alone to topic's partition and records its offset.
func (e *env) produceRecord(topic string, partition int, r *nastyCase) error {
	ts := r.kafkaTime
	if ts.IsZero() {
		ts = time.Now()
	}
	rec := kafka.Record{Time: ts, Key: kafka.NewBytes([]byte(r.key)), Headers: r.headers}
	if r.value != nil {
		rec.Value = kafka.NewBytes(r.value)
	}
	tr := &kafka.Transport{MetadataTTL: 200 * time.Millisecond}
	defer tr.CloseIdleConnections()
	c := &kafka.Client{Addr: kafka.TCP(e.brokers...), Transport: tr, Timeout: 30 * time.Second}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// A new topic's leader can take a moment to be known; retry only that.
	for {
		res, err := c.Produce(ctx, &kafka.ProduceRequest{Topic: topic, Partition: partition, RequiredAcks: kafka.RequireAll,
			Records: kafka.NewRecordReader(rec)})
		if err == nil {
			err = res.Error
		}
		if err == nil {
			r.offset, r.producedAt = res.BaseOffset, ts.Truncate(time.Millisecond)
			return nil
		}
		var ke kafka.Error
		if !errors.As(err, &ke) || !ke.Temporary() || ctx.Err() != nil {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// eventTime is the time the pipeline counts a decoded post at: its
// created_at, or the Kafka timestamp when it has none or it is beyond the
// future skew.
func eventTime(p *post.Post, kafkaTime, now time.Time) time.Time {
	if p.CreatedAt.IsZero() || p.CreatedAt.After(now.Add(maxFutureSkew)) {
		return kafkaTime
	}
	return p.CreatedAt
}

// expectNasty checks that the product's decoder agrees with each case's
// documented outcome and returns the matrix the counted posts must make.
func expectNasty(t *testing.T, recs []*nastyCase, now time.Time) (*impactmatrix.Delta, time.Time) {
	t.Helper()
	tg, err := feature.NewTagger(feature.DefaultTaxonomy())
	if err != nil {
		t.Fatal(err)
	}
	en, err := enrich.New(sentiment.New(), tg)
	if err != nil {
		t.Fatal(err)
	}
	var (
		dec  post.Decoder
		sc   enrich.Scratch
		want = impactmatrix.NewDelta(time.Minute)
	)
	ids := map[int]map[string]string{} // per partition: id -> the case that counted it
	for _, r := range recs {
		var p post.Post
		err := dec.Decode(r.value, &p)
		if r.reason == "" || r.reason == post.ReasonStale {
			if err != nil {
				t.Fatalf("%s: decoder rejects it (%v); the case says it is a valid post", r.key, err)
			}
		} else if got := post.ReasonOf(err); got != r.reason {
			t.Fatalf("%s: decoder says %q (%v), the case says %q", r.key, got, err, r.reason)
		}
		if r.reason == "" && p.ID != "" {
			if ids[r.partition] == nil {
				ids[r.partition] = map[string]string{}
			}
			id := strings.Clone(p.ID) // p aliases the decoder's buffer
			first, dup := ids[r.partition][id]
			if dup != r.duplicate {
				t.Fatalf("%s: id %.40q already counted on partition %d by %q: %v; the case says duplicate: %v", r.key, id, r.partition, first, dup, r.duplicate)
			}
			if !dup {
				ids[r.partition][id] = r.key
			}
		}
		if r.reason != "" || r.duplicate {
			continue
		}
		kt := r.producedAt
		if r.clampedTime {
			kt = now // it lands at processing time, a moment later: the same window
		}
		at := eventTime(&p, kt, now)
		res := en.Enrich(p.Text, p.Lang, &sc)
		reach := impactmatrix.ReachWeight(p.Author.Followers)
		if len(res.Features) == 0 {
			want.Add(at, impactmatrix.OtherFeature, pipeline.ClassOf(res.Sentiment.Label), res.Sentiment.Score, reach)
		}
		for _, fs := range res.Features {
			want.Add(at, fs.ID, pipeline.ClassOf(fs.Label), fs.Score, reach)
		}
		if !r.canary {
			ids := make([]string, 0, len(res.Features))
			for _, fs := range res.Features {
				ids = append(ids, fs.ID)
			}
			t.Logf("%-60.60s counted: %s, features %v", r.name, res.Sentiment.Label, ids)
		}
	}
	return want, now.Truncate(time.Hour).Add(-2 * time.Hour)
}

// waitPartitionsDone waits until the offset stored in Redis for every
// partition is the partition's last record; on timeout it names the record
// each stalled partition is stuck on.
func (e *env) waitPartitionsDone(t *testing.T, partitions int, recs []*nastyCase, within time.Duration) {
	t.Helper()
	last := make([]int64, partitions)
	for i := range last {
		last[i] = -1
	}
	for _, r := range recs {
		last[r.partition] = max(last[r.partition], r.offset)
	}
	deadline := time.Now().Add(within)
	for {
		var stalled []string
		for part := range partitions {
			off, err := e.store.Offset(context.Background(), impactmatrix.Source{Topic: e.topic, Partition: part})
			if err != nil {
				t.Fatal(err)
			}
			if off > last[part] {
				t.Fatalf("partition %d applied offset %d, past its last record %d", part, off, last[part])
			}
			if off < last[part] {
				next := "?"
				for _, r := range recs {
					if r.partition == part && r.offset == off+1 {
						next = r.key
					}
				}
				stalled = append(stalled, fmt.Sprintf("partition %d at offset %d of %d, next record %q", part, off, last[part], next))
			}
		}
		if len(stalled) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %v not every partition was applied to its end:\n%s", within, strings.Join(stalled, "\n"))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// readTopic reads every record of partition 0 of topic.
func (e *env) readTopic(t *testing.T, topic string) []kafka.Message {
	t.Helper()
	conn, err := kafka.DialLeader(context.Background(), "tcp", e.brokers[0], topic, 0)
	if err != nil {
		t.Fatal(err)
	}
	last, err := conn.ReadLastOffset()
	conn.Close()
	if err != nil {
		t.Fatal(err)
	}
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: e.brokers, Topic: topic, Partition: 0, MaxWait: 200 * time.Millisecond, MaxBytes: 16 << 20})
	defer r.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out := make([]kafka.Message, 0, last)
	for range last {
		m, err := r.ReadMessage(ctx)
		if err != nil {
			t.Fatalf("read %s: %v", topic, err)
		}
		out = append(out, m)
	}
	return out
}

func headerMap(hs []kafka.Header) map[string]string {
	h := make(map[string]string, len(hs))
	for _, hd := range hs {
		h[hd.Key] = string(hd.Value)
	}
	return h
}

// checkNastyOutcomes checks each record's outcome: a counted record is in
// the enriched topic (and not dead-lettered), a rejected one is in the
// dead-letter topic with its reason (and not enriched), and neither topic
// holds anything else. Copies with the same origin are at-least-once
// redeliveries and must agree.
func (e *env) checkNastyOutcomes(t *testing.T, recs []*nastyCase, dead, enriched []kafka.Message, processFrom, processTo time.Time) {
	t.Helper()
	type origin struct {
		partition int
		offset    int64
	}
	byOrigin := map[origin]*nastyCase{}
	for _, r := range recs {
		byOrigin[origin{r.partition, r.offset}] = r
	}
	deadBy := map[origin][]kafka.Message{}
	for _, m := range dead {
		h := headerMap(m.Headers)
		part, err1 := strconv.Atoi(h[pipeline.HeaderPartition])
		off, err2 := strconv.ParseInt(h[pipeline.HeaderOffset], 10, 64)
		o := origin{part, off}
		if err1 != nil || err2 != nil || h[pipeline.HeaderTopic] != e.topic || byOrigin[o] == nil {
			t.Errorf("dead letter %q has an unknown origin: %v", m.Key, h)
			continue
		}
		deadBy[o] = append(deadBy[o], m)
	}
	scoredBy := map[origin][]pipeline.ScoredPost{}
	for _, m := range enriched {
		var sp pipeline.ScoredPost
		if err := json.Unmarshal(m.Value, &sp); err != nil {
			t.Errorf("enriched record %q is not JSON: %v", m.Key, err)
			continue
		}
		o := origin{sp.Source.Partition, sp.Source.Offset}
		if sp.Source.Topic != e.topic || byOrigin[o] == nil {
			t.Errorf("enriched record %q has an unknown origin: %+v", m.Key, sp.Source)
			continue
		}
		scoredBy[o] = append(scoredBy[o], sp)
	}

	var nCounted, nDead, nDuplicates, redelivered int
	for _, r := range recs {
		o := origin{r.partition, r.offset}
		ds, ss := deadBy[o], scoredBy[o]
		if len(ds) > 1 || len(ss) > 1 {
			redelivered += len(ds) + len(ss) - 1
		}
		if r.duplicate {
			nDuplicates++
			if len(ds) != 0 || len(ss) != 0 {
				t.Errorf("%s: want dropped as a duplicate, got %d dead letters (%s) and %d enriched copies", r.key, len(ds), reasonsOf(ds), len(ss))
			}
			continue
		}
		if r.reason == "" {
			nCounted++
			if len(ds) != 0 || len(ss) == 0 {
				t.Errorf("%s: want counted, got %d dead letters (%s) and %d enriched copies", r.key, len(ds), reasonsOf(ds), len(ss))
				continue
			}
			for _, sp := range ss {
				e.checkEventTime(t, r, sp, processFrom, processTo)
			}
			continue
		}
		nDead++
		if len(ss) != 0 || len(ds) == 0 {
			t.Errorf("%s: want dead-lettered as %s, got %d dead letters and %d enriched copies", r.key, r.reason, len(ds), len(ss))
			continue
		}
		for _, m := range ds {
			checkDeadLetter(t, r, m)
		}
	}
	t.Logf("%d records counted, %d dead-lettered, %d dropped as duplicates, %d redelivered copies", nCounted, nDead, nDuplicates, redelivered)
}

func reasonsOf(ms []kafka.Message) string {
	var rs []string
	for _, m := range ms {
		rs = append(rs, headerMap(m.Headers)[pipeline.HeaderReason])
	}
	return strings.Join(rs, ",")
}

func (e *env) checkEventTime(t *testing.T, r *nastyCase, sp pipeline.ScoredPost, processFrom, processTo time.Time) {
	t.Helper()
	if r.clampedTime {
		if sp.EventTime.Before(processFrom) || sp.EventTime.After(processTo) {
			t.Errorf("%s: event time %v, want the processing time (between %v and %v)", r.key, sp.EventTime, processFrom, processTo)
		}
		return
	}
	var dec post.Decoder
	var p post.Post
	if err := dec.Decode(r.value, &p); err != nil {
		t.Fatal(err)
	}
	if want := eventTime(&p, r.producedAt, processFrom); !sp.EventTime.Equal(want.UTC()) {
		t.Errorf("%s: event time %v, want %v", r.key, sp.EventTime, want)
	}
	if sp.EventTime.After(processTo.Add(maxFutureSkew)) {
		t.Errorf("%s: event time %v is beyond the future skew", r.key, sp.EventTime)
	}
}

// checkDeadLetter checks one dead letter of r: the documented reason, an
// error message, the record's own key, headers and value, or for a record
// larger than the dead-letter topic accepts, a cut copy that says so.
func checkDeadLetter(t *testing.T, r *nastyCase, m kafka.Message) {
	t.Helper()
	h := headerMap(m.Headers)
	if got := post.Reason(h[pipeline.HeaderReason]); got != r.reason {
		t.Errorf("%s: dead-letter reason %q, want %q (error %q)", r.key, got, r.reason, h[pipeline.HeaderError])
	}
	if h[pipeline.HeaderError] == "" || h[pipeline.HeaderTimestamp] == "" {
		t.Errorf("%s: dead letter lacks the error or timestamp header: %v", r.key, h)
	}
	if string(m.Key) != r.key {
		t.Errorf("%s: dead letter has key %q", r.key, m.Key)
	}
	if r.truncated {
		if h[pipeline.HeaderTruncated] != strconv.Itoa(len(r.value)) {
			t.Errorf("%s: dead letter of a %d-byte record has truncated header %q", r.key, len(r.value), h[pipeline.HeaderTruncated])
		}
		if len(m.Value) == 0 || len(m.Value) >= len(r.value) || !bytes.HasPrefix(r.value, m.Value) {
			t.Errorf("%s: dead letter holds %d bytes, want a non-empty prefix of the %d-byte record", r.key, len(m.Value), len(r.value))
		}
		return
	}
	if _, ok := h[pipeline.HeaderTruncated]; ok {
		t.Errorf("%s: dead letter marked truncated", r.key)
	}
	if !bytes.Equal(m.Value, r.value) {
		t.Errorf("%s: dead letter value differs from the record (%d bytes, want %d)", r.key, len(m.Value), len(r.value))
	}
	for _, hd := range r.headers {
		if v, ok := h[hd.Key]; !ok || v != string(hd.Value) {
			t.Errorf("%s: dead letter lost the record's header %q", r.key, hd.Key)
		}
	}
}
