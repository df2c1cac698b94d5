package alert

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	gapi "github.com/grafana/grafana-api-golang-client"
)

func TestReceiversNeverFollowRedirects(t *testing.T) {
	const secretPath = "/services/T000/B000/XXXXSECRETTOKEN"
	for _, code := range []int{http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		target := newCapture(t, http.StatusOK)
		redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, target.URL+"/collect"+secretPath+"?token=XXXXSECRETTOKEN", code)
		}))
		t.Cleanup(redirector.Close)
		gc, err := gapi.New(redirector.URL, gapi.Config{APIKey: "XXXXSECRETTOKEN", Client: NoRedirects(nil)})
		if err != nil {
			t.Fatal(err)
		}
		receivers := []Receiver{
			NewWebhook(redirector.URL+"/hook", "k", nil),
			NewSlack(redirector.URL + secretPath),
			NewAlertmanager(redirector.URL),
			NewGrafanaAnnotation(gc, "spikes"),
		}
		for _, r := range receivers {
			t.Run(r.Name()+" "+http.StatusText(code), func(t *testing.T) {
				err := r.Send(context.Background(), testAlert("checkout", t0, 1))
				if err == nil {
					t.Fatal("a redirect was a successful delivery")
				}
				var re *RedirectError
				if r.Name() != "grafana" && (!errors.As(err, &re) || re.Code != code || !strings.Contains(err.Error(), strings.TrimPrefix(target.URL, "http://"))) {
					t.Fatalf("err = %v, want a RedirectError naming the target host", err)
				}
				if strings.Contains(err.Error(), "XXXXSECRETTOKEN") || strings.Contains(err.Error(), "/services/") {
					t.Fatalf("error quotes a secret: %v", err)
				}
				target.mu.Lock()
				n := len(target.reqs)
				target.mu.Unlock()
				if n != 0 {
					t.Fatalf("the redirect target received %d request(s)", n)
				}
			})
		}
	}
}
