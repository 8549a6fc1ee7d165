//go:build loadtest

// Command apiload measures the read-only API under load: an open-loop mix of
// wallet, balance and statement reads at a fixed rate, reporting requests per
// second, p50/p90/p99 latency and errors. Build and run it with the loadtest tag:
//
//	go run -tags loadtest ./cmd/apiload -url http://127.0.0.1:8080 -key K -secret S -rate 2000 -duration 30s
//
// The key should be a platform key (it reads wallet ids of every partner first).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"settle/reports/api"
)

func main() {
	base := flag.String("url", "http://127.0.0.1:8080", "the API")
	key := flag.String("key", os.Getenv("SETTLE_API_KEY"), "a platform key id")
	secret := flag.String("secret", os.Getenv("SETTLE_API_SECRET"), "its secret")
	rate := flag.Int("rate", 2000, "requests per second to send")
	duration := flag.Duration("duration", 30*time.Second, "how long")
	wallets := flag.Int("wallets", 20000, "wallet ids to draw from (read from the API first)")
	flag.Parse()

	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 512, MaxConnsPerHost: 512}}
	// No two requests may sign alike (the server refuses a replay), and the API refuses
	// parameters it does not read: each path gets timestamps of its own, a millisecond
	// apart at least.
	var stampMu sync.Mutex
	lastStamp := map[string]int64{}
	stamp := func(path string) string {
		stampMu.Lock()
		defer stampMu.Unlock()
		ts := max(time.Now().UnixMilli(), lastStamp[path]+1)
		lastStamp[path] = ts
		return fmt.Sprint(ts)
	}
	get := func(path string) (int, []byte, time.Duration, error) {
		req, _ := http.NewRequest("GET", *base+path, nil)
		ts := stamp(path)
		req.Header.Set("Key", *key)
		req.Header.Set("Timestamp", ts)
		req.Header.Set("Sign", api.Sign(*secret, "GET", req.URL.RequestURI(), ts, nil))
		start := time.Now()
		res, err := client.Do(req)
		if err != nil {
			return 0, nil, time.Since(start), err
		}
		b, err := io.ReadAll(res.Body)
		res.Body.Close()
		return res.StatusCode, b, time.Since(start), err
	}

	// Wallet ids, spread over the whole table.
	var ids []string
	var total int64 = 1
	for page := 0; len(ids) < *wallets && int64(page*500) < total; page += 1 + int(total/int64(*wallets)) {
		code, b, _, err := get(fmt.Sprintf("/wallets?pageSize=500&pageNumber=%d", page))
		if err != nil || code != 200 {
			fmt.Fprintln(os.Stderr, "reading wallet ids:", code, err, string(b))
			os.Exit(1)
		}
		var p struct {
			TotalCount int64 `json:"totalCount"`
			Items      []struct {
				WalletID string `json:"walletId"`
			} `json:"items"`
		}
		json.Unmarshal(b, &p)
		total = p.TotalCount
		for _, it := range p.Items {
			ids = append(ids, it.WalletID)
		}
	}
	fmt.Printf("%d wallet ids drawn from %d wallets\n", len(ids), total)

	var mu sync.Mutex
	var lat []time.Duration
	var errs, sent atomic.Int64
	var wg sync.WaitGroup
	// Open loop: every millisecond, send what is due by now, so a slow answer never
	// lowers the rate (a closed loop would hide the latency it causes).
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	start := time.Now()
	for i := 0; time.Since(start) < *duration; <-tick.C {
		due := int(time.Since(start).Seconds()*float64(*rate)) - i
		for ; due > 0; due, i = due-1, i+1 {
			id := ids[(i*7919)%len(ids)]
			path := []string{"/wallets/" + id, "/wallets/" + id + "/balance", "/wallets/" + id, "/wallets/" + id + "/balance",
				"/wallets/" + id + "/statements?pageSize=20"}[i%5]
			sent.Add(1)
			wg.Add(1)
			go func() {
				defer wg.Done()
				code, _, d, err := get(path)
				if err != nil || code != 200 {
					errs.Add(1)
				}
				mu.Lock()
				lat = append(lat, d)
				mu.Unlock()
			}()
		}
	}
	wg.Wait()
	elapsed := time.Since(start)
	sort.Slice(lat, func(a, b int) bool { return lat[a] < lat[b] })
	q := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	fmt.Printf("sent %d in %s = %.0f requests/s; p50 %s, p90 %s, p99 %s, max %s; errors %d\n", sent.Load(), elapsed.Round(time.Millisecond),
		float64(sent.Load())/elapsed.Seconds(), q(0.50).Round(10*time.Microsecond), q(0.90).Round(10*time.Microsecond),
		q(0.99).Round(10*time.Microsecond), lat[len(lat)-1].Round(time.Microsecond), errs.Load())
}
