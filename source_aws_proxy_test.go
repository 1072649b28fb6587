//go:build !secrets_noaws

package secrets_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// awsFault is an error response of the Secrets Manager JSON 1.1 protocol,
// as the service sends it: an HTTP status and a body naming the error type
// in "__type".
type awsFault struct {
	Status  int
	Code    string
	Message string
}

// Error responses as Secrets Manager documents and sends them.
var (
	faultAccessDenied = awsFault{http.StatusBadRequest, "AccessDeniedException",
		"User: arn:aws:iam::123456789012:user/test is not authorized to perform: secretsmanager:GetSecretValue because no identity-based policy allows the secretsmanager:GetSecretValue action"}
	faultBatchDenied = awsFault{http.StatusBadRequest, "AccessDeniedException",
		"User: arn:aws:iam::123456789012:user/test is not authorized to perform: secretsmanager:BatchGetSecretValue because no identity-based policy allows the secretsmanager:BatchGetSecretValue action"}
	faultDecryption = awsFault{http.StatusBadRequest, "DecryptionFailure",
		"Secrets Manager can't decrypt the protected secret text using the provided KMS key."}
	faultThrottling = awsFault{http.StatusBadRequest, "ThrottlingException", "Rate exceeded"}
)

// awsProxy is a reverse proxy in front of moto_server that counts requests
// per operation (every HTTP attempt, retries included) and can answer an
// operation with injected faults or hold its responses.
type awsProxy struct {
	URL string

	mu       sync.Mutex
	requests map[string]int        // operation -> HTTP requests seen
	faults   map[string][]awsFault // operation -> faults still to serve, in order
	always   map[string]awsFault   // operation -> fault served every time
	hold     map[string]time.Duration
}

func newAWSProxy(t *testing.T, target string) *awsProxy {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	p := &awsProxy{
		requests: map[string]int{},
		faults:   map[string][]awsFault{},
		always:   map[string]awsFault{},
		hold:     map[string]time.Duration{},
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "secretsmanager.")
		p.mu.Lock()
		p.requests[op]++
		f, inject := p.always[op]
		if q := p.faults[op]; !inject && len(q) > 0 {
			f, inject = q[0], true
			p.faults[op] = q[1:]
		}
		hold := p.hold[op]
		p.mu.Unlock()
		if hold > 0 {
			time.Sleep(hold)
		}
		if inject {
			w.Header().Set("Content-Type", "application/x-amz-json-1.1")
			w.Header().Set("X-Amzn-Requestid", "7d0e1f42-0000-4000-8000-000000000000")
			w.WriteHeader(f.Status)
			_ = json.NewEncoder(w).Encode(map[string]string{"__type": f.Code, "message": f.Message})
			return
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	p.URL = srv.URL
	return p
}

// inject queues faults for the next requests of op.
func (p *awsProxy) inject(op string, faults ...awsFault) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.faults[op] = append(p.faults[op], faults...)
}

// fail answers every request of op with f; the zero awsFault stops that.
func (p *awsProxy) fail(op string, f awsFault) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if f == (awsFault{}) {
		delete(p.always, op)
		return
	}
	p.always[op] = f
}

// delay holds every response of op for d.
func (p *awsProxy) delay(op string, d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.hold[op] = d
}

// count returns the HTTP requests seen for op.
func (p *awsProxy) count(op string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.requests[op]
}

// reset forgets the counts.
func (p *awsProxy) reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.requests = map[string]int{}
}
