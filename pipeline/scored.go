package pipeline

import (
	"encoding/json"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/socialpulse/socialpulse/enrich"
	"github.com/socialpulse/socialpulse/post"
)

// ScoredPost is the JSON written to the enriched-posts topic, and the line
// "socialpulse score" prints for each post.
type ScoredPost struct {
	ID   string `json:"id"`
	Text string `json:"text"`
	// EventTime is the time the post is counted at. The processor always
	// sets it; score, which has no Kafka timestamp to fall back on, leaves it
	// out for a post without created_at.
	EventTime time.Time       `json:"event_time,omitzero"`
	Platform  string          `json:"platform,omitempty"`
	Lang      string          `json:"lang,omitempty"`
	URL       string          `json:"url,omitempty"`
	Author    *ScoredAuthor   `json:"author,omitempty"`
	Sentiment ScoredSentiment `json:"sentiment"`
	Features  []ScoredFeature `json:"features"`
	// Source is the record the post was read from; absent from score's
	// output, which reads no Kafka record.
	Source ScoredSource `json:"source,omitzero"`
}

// ScoredAuthor is the post's author.
type ScoredAuthor struct {
	ID        string `json:"id,omitempty"`
	Handle    string `json:"handle,omitempty"`
	Followers int64  `json:"followers"`
}

// ScoredSentiment is a label and compound score.
type ScoredSentiment struct {
	Label string  `json:"label"`
	Score float64 `json:"score"`
}

// ScoredFeature is a mentioned feature with its own sentiment.
type ScoredFeature struct {
	ID string `json:"id"`
	ScoredSentiment
	// Expanded: a WordNet expansion of a term found the feature, not a
	// written term (the feature's taxonomy "expand" setting).
	Expanded bool `json:"expanded,omitempty"`
	// Inferred: no term matched the post, and the fallback model
	// (taxonomy.fallback_model) named the feature; it has the post's
	// sentiment.
	Inferred bool `json:"inferred,omitempty"`
}

// ScoredSource is where the post was read from.
type ScoredSource struct {
	Topic     string `json:"topic"`
	Partition int    `json:"partition"`
	Offset    int64  `json:"offset"`
}

// NewScoredPost builds the enriched copy of post p, counted at eventTime,
// from its enrichment res: the features in res's order, each with its own
// sentiment (an empty list, not null, for a post of the "other" row). Its
// strings alias p's, so marshal it before the next Decode (or pass a
// Clone). Source is left for the caller.
func NewScoredPost(p *post.Post, eventTime time.Time, res *enrich.Result) ScoredPost {
	sp := ScoredPost{
		ID: p.ID, Text: p.Text, Platform: p.Platform, Lang: res.Lang, URL: p.URL,
		Sentiment: ScoredSentiment{Label: res.Sentiment.Label.String(), Score: res.Sentiment.Score},
		Features:  make([]ScoredFeature, 0, len(res.Features)),
	}
	if !eventTime.IsZero() {
		sp.EventTime = eventTime.UTC()
	}
	if p.Author != (post.Author{}) {
		sp.Author = &ScoredAuthor{ID: p.Author.ID, Handle: p.Author.Handle, Followers: p.Author.Followers}
	}
	for _, f := range res.Features {
		sp.Features = append(sp.Features, ScoredFeature{ID: f.ID, ScoredSentiment: ScoredSentiment{Label: f.Label.String(), Score: f.Score}, Expanded: f.Expanded, Inferred: f.Inferred})
	}
	return sp
}

func scoredJSON(p *post.Post, t time.Time, res *enrich.Result, r *kafka.Message) []byte {
	sp := NewScoredPost(p, t, res)
	sp.Source = ScoredSource{Topic: r.Topic, Partition: r.Partition, Offset: r.Offset}
	b, err := json.Marshal(sp)
	if err != nil {
		// Only reachable with a non-finite float, which scores never are.
		panic("pipeline: marshal scored post: " + err.Error())
	}
	return b
}
