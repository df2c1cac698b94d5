package alert

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	gapi "github.com/grafana/grafana-api-golang-client"
)

type grafanaReq struct {
	method, path string
	body         map[string]any
}

func TestGrafanaAnnotationCreatedThenTurnedIntoRegion(t *testing.T) {
	var mu sync.Mutex
	var reqs []grafanaReq
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var body map[string]any
		_ = json.Unmarshal(b, &body)
		mu.Lock()
		reqs = append(reqs, grafanaReq{r.Method, r.URL.Path, body})
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if r.Method == http.MethodPost {
			fmt.Fprint(w, `{"id": 42, "message": "Annotation added"}`)
			return
		}
		fmt.Fprint(w, `{"message": "Annotation patched"}`)
	}))
	defer srv.Close()
	c, err := gapi.New(srv.URL, gapi.Config{APIKey: "token", Client: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	forEachRedis(t, func(t *testing.T, s store) {
		mu.Lock()
		reqs = nil
		mu.Unlock()
		ctx := context.Background()
		ob := newOutbox(t, s, nil, NewGrafanaAnnotation(c, "spikes"))
		run(t, ob)
		a := testAlert("checkout", t0, 1)
		if _, err := ob.Publish(ctx, a); err != nil {
			t.Fatal(err)
		}
		eventually(t, 10*time.Second, "annotation id kept in history", func() bool {
			r, err := ob.Get(ctx, a.ID)
			return err == nil && r.ReceiverState["grafana"] == "42"
		})
		r := resolved(a, 2)
		if _, err := ob.Publish(ctx, r); err != nil {
			t.Fatal(err)
		}
		eventually(t, 10*time.Second, "annotation patched", func() bool {
			mu.Lock()
			defer mu.Unlock()
			return len(reqs) == 2
		})
		mu.Lock()
		defer mu.Unlock()
		create, patch := reqs[0], reqs[1]
		if create.method != http.MethodPost || create.path != "/api/annotations" {
			t.Fatalf("first request %s %s", create.method, create.path)
		}
		if create.body["dashboardUID"] != "spikes" || create.body["time"] != float64(t0.UnixMilli()) ||
			fmt.Sprint(create.body["tags"]) != "[socialpulse feature:checkout priority:P1 kind:negative_surge]" ||
			create.body["timeEnd"] != nil {
			t.Errorf("create body %v", create.body)
		}
		if (patch.method != http.MethodPatch && patch.method != http.MethodPut) || patch.path != "/api/annotations/42" {
			t.Fatalf("second request %s %s", patch.method, patch.path)
		}
		if patch.body["timeEnd"] != float64(r.EndsAt.UnixMilli()) || patch.body["isRegion"] != true {
			t.Errorf("patch body %v, want timeEnd %d", patch.body, r.EndsAt.UnixMilli())
		}
	})
}

func TestGrafanaMilestoneAnnotationIsTaggedAndEscaped(t *testing.T) {
	var got grafanaReq
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = grafanaReq{r.Method, r.URL.Path, nil}
		_ = json.Unmarshal(b, &got.body)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"id": 7, "message": "Annotation added"}`)
	}))
	defer srv.Close()
	c, err := gapi.New(srv.URL, gapi.Config{APIKey: "token", Client: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	g := NewGrafanaAnnotation(c, "it-priorities")
	cases := []struct {
		name     string
		m        Milestone
		wantText string
	}{
		{"a typed statement", Milestone{Type: "statement", Author: "pr", Text: "We are on it", Time: t0},
			"statement by pr: We are on it"},
		{"a brand post with markup", Milestone{Type: "statement", Author: "shop", Text: "<script>x</script>\nfixed & back",
			Time: t0, Source: SourceBrandPost}, "statement by shop (brand post): &lt;script&gt;x&lt;/script&gt; fixed &amp; back"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			id, err := g.AnnotateMilestone(context.Background(), "inc-1", c.m)
			if err != nil || id != 7 {
				t.Fatalf("AnnotateMilestone = %d, %v", id, err)
			}
			if got.method != http.MethodPost || got.path != "/api/annotations" || got.body["text"] != c.wantText ||
				fmt.Sprint(got.body["tags"]) != "[socialpulse-milestone incident:inc-1 milestone:statement]" ||
				got.body["time"] != float64(t0.UnixMilli()) || got.body["dashboardUID"] != "it-priorities" {
				t.Errorf("request %s %s %v", got.method, got.path, got.body)
			}
		})
	}
}
