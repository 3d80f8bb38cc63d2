package benchmarks

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ditstar/ditstar/dit"
	"github.com/ditstar/ditstar/httpd"
	"github.com/ditstar/ditstar/integration"
)

// webhooksPackage is the integration that http.sh runs under wrk too.
const webhooksPackage = "testdata/webhooks"

// BenchmarkWebhooks measures the webhook integration of testdata/webhooks
// over loopback HTTP: GET /table returns a 10-row JSON table and POST
// /sequences creates one contract and responds when it is committed. One
// operation of a sub-benchmark is a fixed number of requests, sent from 1,
// 10 or 50 clients, each on its own keep-alive connection and waiting for
// each response before it sends the next request, as wrk's connections do.
func BenchmarkWebhooks(b *testing.B) {
	base := startWebhooks(b)
	for _, method := range []string{http.MethodGet, http.MethodPost} {
		url := base + "/table"
		want := http.StatusOK
		requests := size(20_000, 200)
		if method == http.MethodPost {
			url = base + "/sequences"
			want = http.StatusCreated
			requests = size(5_000, 100)
		}
		for _, conns := range []int{1, 10, 50} {
			b.Run(fmt.Sprintf("%s/conns=%d", method, conns), func(b *testing.B) {
				loadHTTP(b, method, url, want, conns, requests*b.N)
			})
		}
	}
}

// startWebhooks runs the webhook integration on an embedded ledger with an
// HTTP server on loopback and returns the base URL of its webhooks.
func startWebhooks(b *testing.B) string {
	b.Helper()
	env := startLedger(b)
	pkg, err := dit.Open(webhooksPackage)
	if err != nil {
		b.Fatal(err)
	}
	if got := pkg.Meta.DamlModel.MainPackageID; got != env.dar.MainPackageID {
		b.Fatalf("%s names main_package_id %s, but %s has %s: update dit-meta.yaml", webhooksPackage, got, coreDAR, env.dar.MainPackageID)
	}

	rt, err := integration.New(integration.Options{
		Package:    pkg,
		InstanceID: "bench",
		Client:     env.dial(),
		Logger:     quietLogger(),
	})
	if err != nil {
		b.Fatal(err)
	}
	srv, err := httpd.New(httpd.Options{InstanceID: "bench", Integration: rt, Logger: quietLogger()})
	if err != nil {
		b.Fatal(err)
	}

	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go srv.Serve(lis)
	b.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	env.run(rt).waitReady(b, time.Minute)
	return "http://" + lis.Addr().String() + "/integration/bench"
}

// loadHTTP sends n requests from conns clients and reports requests per
// second and latency percentiles. A status other than want fails the
// benchmark.
func loadHTTP(b *testing.B, method, url string, want, conns, n int) {
	clients := make([]*http.Client, conns)
	for i := range clients {
		clients[i] = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1, DisableCompression: true}}
		defer clients[i].CloseIdleConnections()
	}

	var lat latencies
	errs := make(chan error, conns)
	b.ResetTimer()
	begin := time.Now()
	var wg sync.WaitGroup
	for i, c := range clients {
		count := n / conns
		if i < n%conns {
			count++
		}
		wg.Go(func() {
			for range count {
				d, err := request(c, method, url, want)
				if err != nil {
					errs <- err
					return
				}
				lat.add(d)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(begin)
	b.StopTimer()

	close(errs)
	if err := <-errs; err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(n)/elapsed.Seconds(), "req/s")
	reportLatencies(b, &lat)
}

// request sends one request and reads the whole response.
func request(c *http.Client, method, url string, want int) (time.Duration, error) {
	var body io.Reader
	if method == http.MethodPost {
		body = strings.NewReader(`{}`)
	}
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		return 0, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	begin := time.Now()
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	data, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	elapsed := time.Since(begin)
	if err != nil {
		return 0, fmt.Errorf("%s %s: read body: %w", method, url, err)
	}
	if resp.StatusCode != want {
		return 0, fmt.Errorf("%s %s: status %d, want %d; body: %s", method, url, resp.StatusCode, want, data)
	}
	return elapsed, nil
}
