package cli

import (
	"flag"
	"net/url"
	"time"

	"github.com/socialpulse/socialpulse/internal/apiclient"
)

// Environment variables of the commands that call the API (not config
// options).
const (
	EnvAPIURL   = "SOCIALPULSE_API_URL"
	EnvAPIToken = "SOCIALPULSE_API_TOKEN"
)

// APIFlags are the connection flags of every command that calls the API:
// --api, --token-file and --timeout.
type APIFlags struct {
	api, tokenFile string
	timeout        time.Duration
}

// Register adds the flags to fs.
func (c *APIFlags) Register(fs *flag.FlagSet) {
	fs.StringVar(&c.api, "api", Env(EnvAPIURL, "http://127.0.0.1:8080"), "API base `URL` (env "+EnvAPIURL+")")
	fs.StringVar(&c.tokenFile, "token-file", "", "read the API token from `FILE` (default: env "+EnvAPIToken+")")
	fs.DurationVar(&c.timeout, "timeout", 30*time.Second, "bound on each request")
}

// Client returns the API client of the flags, with the token of the
// environment or --token-file. A bad --api is a usage error.
func (c *APIFlags) Client() (*apiclient.Client, error) {
	u, err := HTTPURL(c.api)
	if err != nil {
		return nil, Usagef("--api: want http(s)://host[:port], got %q", c.api)
	}
	token, err := Token(c.tokenFile, EnvAPIToken)
	if err != nil {
		return nil, err
	}
	return apiclient.New(apiclient.Options{Base: u, Token: token, Timeout: c.timeout,
		NoTokenHint: "set " + EnvAPIToken + " or --token-file"}), nil
}

// SpikeFilterFlags are the filters of the spike list and its CSV export.
type SpikeFilterFlags struct{ f apiclient.SpikeFilter }

// Register adds the flags to fs.
func (s *SpikeFilterFlags) Register(fs *flag.FlagSet) {
	f := &s.f
	fs.StringVar(&f.Feature, "feature", "", "only this feature `id`, e.g. checkout")
	fs.StringVar(&f.Priority, "priority", "", "only this `priority`: 1..4 or P1..P4")
	fs.StringVar(&f.State, "state", "", "only `firing` or resolved spikes")
	fs.StringVar(&f.From, "from", "", "spikes started at or after this RFC 3339 `time`")
	fs.StringVar(&f.To, "to", "", "spikes started before this RFC 3339 `time`")
	fs.Var(LongDuration{D: &f.Since}, "since", "spikes started in this last `duration`, e.g. 24h, 2d or 1w (instead of --from)")
	fs.StringVar(&f.Text, "q", "", "text search in the evidence (summary, feature, top words, sample posts)")
	fs.StringVar(&f.Order, "order", "desc", "by start time: desc (newest first) or asc")
}

// Query returns the filters as the API's query parameters, with --since
// counted back from now; a bad --since is a usage error.
func (s *SpikeFilterFlags) Query(now time.Time) (url.Values, error) {
	q, err := s.f.Query(now)
	if err != nil {
		return nil, Usagef("%v", err)
	}
	return q, nil
}
