package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/socialpulse/socialpulse/alert"
)

// bodySink records every request body it is sent and answers 200.
type bodySink struct {
	mu     sync.Mutex
	bodies [][]byte
	next   http.Handler // when set, the request is also served by it
}

func (s *bodySink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.bodies = append(s.bodies, b)
	s.mu.Unlock()
	if s.next != nil {
		r.Body = io.NopCloser(bytes.NewReader(b))
		s.next.ServeHTTP(w, r)
	}
}

func (s *bodySink) snapshot() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][]byte(nil), s.bodies...)
}

// hostileSuffix is what the surge's complaints carry: Slack mentions and a
// disguised link, terminal escapes, an OSC 52 clipboard write and a C1 CSI.
const hostileSuffix = " <!channel> <!here> <@U024BE7LH> <https://evil.example/phish|reset password> \x1b[2J\x1b[H\x1b]52;c;ZXZpbA==\x07 \u009b31m"

// TestHostilePostsReachReceiversSafely sends a surge of complaints whose
// texts and handles carry Slack markup and terminal escapes through a real
// processor (real Kafka and Redis) with a Slack and a webhook receiver on
// loopback and an Alertmanager address that redirects. The alert is
// delivered; Slack gets escaped, verbatim text with no mention syntax; every
// payload is within its receiver's budget; the redirect is not followed and
// is a visible failure; spikes show prints no escape sequence; and the open
// API refuses a foreign Host.
func TestHostilePostsReachReceiversSafely(t *testing.T) {
	const step = 10 * time.Second
	e := newEnv(t, 1)
	hookSink := &webhookSink{t: t, secret: "e2e-secret", got: map[string]int{}}
	hookBodies := &bodySink{next: hookSink}
	hook := httptest.NewServer(hookBodies)
	defer hook.Close()
	slackBodies := &bodySink{}
	slack := httptest.NewServer(slackBodies)
	defer slack.Close()
	stolen := &bodySink{}
	thief := httptest.NewServer(stolen)
	defer thief.Close()
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, thief.URL+"/collect/XXXXSECRET", http.StatusTemporaryRedirect)
	}))
	defer redirector.Close()

	tr := &kafka.Transport{MetadataTTL: 200 * time.Millisecond}
	defer tr.CloseIdleConnections()
	w := &kafka.Writer{Addr: kafka.TCP(e.brokers...), Topic: e.topic, Balancer: &kafka.Hash{}, BatchTimeout: 2 * time.Millisecond, RequiredAcks: kafka.RequireAll, Transport: tr}
	defer w.Close()
	texts := newSpikeTexts(t)
	rng := rand.New(rand.NewPCG(7, 8))
	seq := 0
	bucket := func(start time.Time, complaints int, hostile bool) {
		var msgs []kafka.Message
		add := func(text, handle string) {
			seq++
			at := start.Add(time.Duration(rng.Int64N(int64(step))))
			v, _ := json.Marshal(map[string]any{"id": fmt.Sprintf("h%d", seq), "text": text, "created_at": at.UTC().Format(time.RFC3339Nano),
				"url": fmt.Sprintf("https://social.example/p/%d?a=1&b=2", seq), "author": map[string]any{"handle": handle, "followers": int64(1) << 62}})
			msgs = append(msgs, kafka.Message{Key: []byte(strconv.Itoa(seq)), Value: v})
		}
		for i := range complaints {
			text, handle := texts.complaints[rng.IntN(len(texts.complaints))], "@u"+strconv.Itoa(seq%97)
			if hostile {
				text += hostileSuffix
				handle = "<!here> <@U024BE7LH> @evil"
				if i%3 == 0 {
					text += " " + strings.Repeat("still broken ", 4000) // a 52 KB text
				}
			}
			add(text, handle)
		}
		for range 10 {
			add(texts.chatter[rng.IntN(len(texts.chatter))], "@chatter")
		}
		if err := w.WriteMessages(context.Background(), msgs...); err != nil {
			t.Fatalf("produce: %v", err)
		}
	}
	background := func() int { return 2 + rng.IntN(3) }

	now := time.Now().Truncate(step)
	for b := now.Add(-3 * time.Hour); b.Before(now); b = b.Add(step) {
		bucket(b, background(), false)
	}
	addr := freeAddr(t)
	e.startProcessor("p1",
		"SOCIALPULSE_MATRIX_BUCKET="+step.String(), "SOCIALPULSE_MATRIX_WINDOWS=1m,5m",
		"SOCIALPULSE_DETECTOR_GRACE=3s", "SOCIALPULSE_DETECTOR_WARMUP=2h", "SOCIALPULSE_DETECTOR_LEASE_TTL=5s",
		"SOCIALPULSE_ALERTING_WEBHOOK_URL="+hook.URL, "SOCIALPULSE_ALERTING_WEBHOOK_SECRET="+hookSink.secret,
		"SOCIALPULSE_ALERTING_SLACK_URL="+slack.URL+"/services/T000/B000/XXXXSECRET",
		"SOCIALPULSE_ALERTING_ALERTMANAGER_URL="+redirector.URL,
		"SOCIALPULSE_EMERGING_ENABLED=false", "SOCIALPULSE_HTTP_LISTEN="+addr)

	live := func(d time.Duration, factor int, hostile bool) {
		end := time.Now().Add(d)
		for time.Now().Before(end) {
			b := time.Now().Truncate(step)
			bucket(b, background()*factor, hostile)
			time.Sleep(time.Until(b.Add(step)))
		}
	}
	live(40*time.Second, 1, false)
	live(60*time.Second, 4, true)
	var fired alert.Alert
	deadline := time.Now().Add(2 * time.Minute)
	for fired.ID == "" {
		if time.Now().After(deadline) {
			t.Fatal("no alert delivered to the webhook two minutes into the hostile surge")
		}
		live(step, 4, true)
		alerts, _, _ := hookSink.snapshot()
		for _, a := range alerts {
			if a.State == alert.StateFiring {
				fired = a
				break
			}
		}
	}
	// Slack is delivered by its own worker: wait for it too.
	for len(slackBodies.snapshot()) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the webhook got the alert but Slack did not")
		}
		time.Sleep(200 * time.Millisecond)
	}

	t.Run("webhook payloads within budget", func(t *testing.T) {
		_, _, bad := hookSink.snapshot()
		if bad > 0 {
			t.Errorf("webhook refused %d deliveries", bad)
		}
		for _, b := range hookBodies.snapshot() {
			if len(b) > alert.WebhookBudget {
				t.Errorf("webhook body of %d bytes, over the %d budget", len(b), alert.WebhookBudget)
			}
		}
		hostileSamples := 0
		for _, s := range fired.Evidence.Samples {
			if strings.Contains(s.Text, "<!channel>") {
				hostileSamples++
			}
			if len(s.Text) > 1000 {
				t.Errorf("a sample text of %d bytes, over the 1,000 kept as evidence", len(s.Text))
			}
		}
		if hostileSamples == 0 {
			t.Fatalf("the alert quotes none of the hostile posts: %+v", fired.Evidence.Samples)
		}
		if fired.Evidence.Reach < 0 || fired.Evidence.Reach > 1e12 {
			t.Errorf("reach %v from followers of 2^62: want the capped count, never a wrapped sum", fired.Evidence.Reach)
		}
	})

	t.Run("slack text escaped, verbatim, with no mention syntax", func(t *testing.T) {
		for _, b := range slackBodies.snapshot() {
			if len(b) > alert.SlackBudget {
				t.Errorf("Slack body of %d bytes, over the %d budget", len(b), alert.SlackBudget)
			}
			var msg struct {
				Text   string `json:"text"`
				Blocks []struct {
					Text     map[string]any   `json:"text"`
					Fields   []map[string]any `json:"fields"`
					Elements []map[string]any `json:"elements"`
				} `json:"blocks"`
			}
			if err := json.Unmarshal(b, &msg); err != nil {
				t.Fatal(err)
			}
			all := msg.Text
			quoted := false
			for _, bl := range msg.Blocks {
				for _, o := range append(append([]map[string]any{bl.Text}, bl.Fields...), bl.Elements...) {
					s, _ := o["text"].(string)
					if o["type"] == "mrkdwn" && o["verbatim"] != true {
						t.Errorf("mrkdwn text without verbatim: %q", s)
					}
					if len(s) > 3000 {
						t.Errorf("a text object of %d bytes", len(s))
					}
					if strings.Contains(s, "&lt;!channel&gt;") {
						quoted = true
					}
					all += s
				}
			}
			for _, raw := range []string{"<!channel>", "<!here", "<@U", "<https://evil.example", "\x1b", "\u009b"} {
				if strings.Contains(all, raw) {
					t.Errorf("Slack message holds %q from a customer's post", raw)
				}
			}
			if !quoted {
				t.Errorf("the Slack message does not quote the hostile posts (escaped): %s", b)
			}
		}
	})

	t.Run("redirect not followed and visible", func(t *testing.T) {
		var rec struct {
			Deliveries []alert.DeliveryStatus `json:"deliveries"`
		}
		deadline := time.Now().Add(30 * time.Second)
		for {
			resp, err := http.Get("http://" + addr + "/api/v1/spikes/" + fired.ID)
			if err != nil {
				t.Fatal(err)
			}
			_ = json.NewDecoder(resp.Body).Decode(&rec)
			resp.Body.Close()
			found := false
			for _, d := range rec.Deliveries {
				if d.Receiver == "alertmanager" && strings.Contains(d.LastError, "redirect 307") {
					found = true
					if strings.Contains(d.LastError, "XXXXSECRET") || strings.Contains(d.LastError, "/collect") {
						t.Errorf("the delivery's reason quotes the redirect's path: %q", d.LastError)
					}
				}
			}
			if found {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("no alertmanager delivery failed on the redirect: %+v", rec.Deliveries)
			}
			time.Sleep(500 * time.Millisecond)
		}
		if n := len(stolen.snapshot()); n != 0 {
			t.Fatalf("the redirect target received %d request(s)", n)
		}
	})

	t.Run("spikes show prints no escape sequence", func(t *testing.T) {
		cmd := exec.Command(binary(t), "spikes", "show", fired.ID)
		cmd.Env = append(cmd.Environ(), "SOCIALPULSE_API_URL=http://"+addr)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("spikes show: %v\n%s", err, out)
		}
		if bytes.ContainsAny(out, "\x1b\x07\r\b") || bytes.Contains(out, []byte("\u009b")) || bytes.Contains(out, []byte("52;c;")) {
			t.Fatalf("spikes show printed an escape sequence: %q", out)
		}
		if !bytes.Contains(out, []byte("<!channel>")) {
			t.Fatalf("spikes show lost the visible text of the posts: %s", out)
		}
	})

	t.Run("open API refuses a foreign Host", func(t *testing.T) {
		for host, want := range map[string]int{"rebind.evil.example": http.StatusMisdirectedRequest, addr: http.StatusOK} {
			req, _ := http.NewRequest("GET", "http://"+addr+"/api/v1/spikes", nil)
			req.Host = host
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != want {
				t.Errorf("Host %s: %d %s, want %d", host, resp.StatusCode, body, want)
			}
		}
	})
}
