package api

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// stamps numbers the benchmarks' requests: no two of them sign alike (the server
// refuses a replay), 340,000 of them fit in the window.
var stamps atomic.Int64

// serve sends one GET of path with the platform key, stamped with a timestamp of its
// own, and fails on anything but 200.
func (w *world) serve(b *testing.B, path string, _ int64) {
	req := httptest.NewRequest("GET", path, nil)
	ts := fmt.Sprint(w.clock.Now().Add(-Window+10*time.Second).UnixMilli() + stamps.Add(1)%340_000)
	req.Header.Set("Key", w.platfm[0])
	req.Header.Set("Timestamp", ts)
	req.Header.Set("Sign", Sign(w.platfm[1], "GET", req.URL.RequestURI(), ts, nil))
	rec := httptest.NewRecorder()
	w.h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		b.Errorf("%d %s", rec.Code, rec.Body)
	}
}

var benchPaths = []string{"/wallets/" + mario, "/wallets/" + mario + "/balance", "/wallets/" + mario + "/statements?pageSize=20"}

// BenchmarkRoutes: the server's own cost per request (no network), by route.
//
//	go test ./reports/api -run X -bench Routes
func BenchmarkRoutes(b *testing.B) {
	w := newWorld(&testing.T{})
	for _, path := range benchPaths {
		b.Run(path[len(path)-min(len(path), 24):], func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				w.serve(b, path, int64(i))
			}
		})
	}
}

// BenchmarkRoutesParallel: the same mix from GOMAXPROCS goroutines at once.
func BenchmarkRoutesParallel(b *testing.B) {
	w := newWorld(&testing.T{})
	var n atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			w.serve(b, benchPaths[i%3], i)
		}
	})
}
