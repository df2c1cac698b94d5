package pipeline

import (
	"encoding/json"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/socialpulse/socialpulse/enrich"
	"github.com/socialpulse/socialpulse/post"
)

// ScoredPost is the JSON written to the enriched-posts topic.
type ScoredPost struct {
	ID        string          `json:"id"`
	Text      string          `json:"text"`
	EventTime time.Time       `json:"event_time"`
	Platform  string          `json:"platform,omitempty"`
	Lang      string          `json:"lang,omitempty"`
	URL       string          `json:"url,omitempty"`
	Author    *ScoredAuthor   `json:"author,omitempty"`
	Sentiment ScoredSentiment `json:"sentiment"`
	Features  []ScoredFeature `json:"features"`
	Source    ScoredSource    `json:"source"`
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
}

// ScoredSource is where the post was read from.
type ScoredSource struct {
	Topic     string `json:"topic"`
	Partition int    `json:"partition"`
	Offset    int64  `json:"offset"`
}

func scoredJSON(p *post.Post, t time.Time, res *enrich.Result, r *kafka.Message) []byte {
	sp := ScoredPost{
		ID: p.ID, Text: p.Text, EventTime: t.UTC(), Platform: p.Platform, Lang: res.Lang, URL: p.URL,
		Sentiment: ScoredSentiment{Label: res.Sentiment.Label.String(), Score: res.Sentiment.Score},
		Features:  make([]ScoredFeature, 0, len(res.Features)),
		Source:    ScoredSource{Topic: r.Topic, Partition: r.Partition, Offset: r.Offset},
	}
	if p.Author != (post.Author{}) {
		sp.Author = &ScoredAuthor{ID: p.Author.ID, Handle: p.Author.Handle, Followers: p.Author.Followers}
	}
	for _, f := range res.Features {
		sp.Features = append(sp.Features, ScoredFeature{ID: f.ID, ScoredSentiment: ScoredSentiment{Label: f.Label.String(), Score: f.Score}})
	}
	b, err := json.Marshal(sp)
	if err != nil {
		// Only reachable with a non-finite float, which scores never are.
		panic("pipeline: marshal scored post: " + err.Error())
	}
	return b
}
