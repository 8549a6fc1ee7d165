package api

import (
	"fmt"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkRoutes: the server's own cost per request (no network), by route.
//
//	go test ./reports/api -run X -bench Routes
func BenchmarkRoutes(b *testing.B) {
	t := &testing.T{}
	w := newWorld(t)
	for _, path := range []string{"/wallets/" + mario, "/wallets/" + mario + "/balance", "/wallets/" + mario + "/statements?pageSize=20"} {
		b.Run(path[len(path)-min(len(path), 24):], func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				target := fmt.Sprintf("%s%sr=%d", path, map[bool]string{true: "&", false: "?"}[strings.Contains(path, "?")], i)
				req := httptest.NewRequest("GET", target, nil)
				ts := fmt.Sprint(time.Now().UnixMilli())
				req.Header.Set("Key", w.platfm[0])
				req.Header.Set("Timestamp", ts)
				req.Header.Set("Sign", Sign(w.platfm[1], "GET", req.URL.RequestURI(), ts, nil))
				rec := httptest.NewRecorder()
				w.h.ServeHTTP(rec, req)
				if rec.Code != 200 {
					b.Fatalf("%d %s", rec.Code, rec.Body)
				}
			}
		})
	}
}

// BenchmarkRoutesParallel: the mix of wallet, balance and statement reads from
// GOMAXPROCS goroutines at once: whether requests run in parallel.
func BenchmarkRoutesParallel(b *testing.B) {
	t := &testing.T{}
	w := newWorld(t)
	paths := []string{"/wallets/" + mario, "/wallets/" + mario + "/balance", "/wallets/" + mario + "/statements?pageSize=20"}
	var n atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			path := paths[i%3]
			target := fmt.Sprintf("%s%sr=%d", path, map[bool]string{true: "&", false: "?"}[strings.Contains(path, "?")], i)
			req := httptest.NewRequest("GET", target, nil)
			ts := fmt.Sprint(time.Now().UnixMilli())
			req.Header.Set("Key", w.platfm[0])
			req.Header.Set("Timestamp", ts)
			req.Header.Set("Sign", Sign(w.platfm[1], "GET", req.URL.RequestURI(), ts, nil))
			rec := httptest.NewRecorder()
			w.h.ServeHTTP(rec, req)
			if rec.Code != 200 {
				b.Errorf("%d %s", rec.Code, rec.Body)
			}
		}
	})
}
