//go:build !secrets_noaws

package secrets_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
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
	inFlight map[string]int
	maxIn    map[string]int
	paginate bool // split every BatchGetSecretValue answer into two pages
	target   string
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
		inFlight: map[string]int{},
		maxIn:    map[string]int{},
		target:   target,
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
		paginate := p.paginate && op == "BatchGetSecretValue"
		p.inFlight[op]++
		p.maxIn[op] = max(p.maxIn[op], p.inFlight[op])
		p.mu.Unlock()
		defer func() {
			p.mu.Lock()
			p.inFlight[op]--
			p.mu.Unlock()
		}()
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
		if paginate {
			p.servePages(t, w, r)
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

// maxInFlight returns the most requests of op that were in flight at once.
func (p *awsProxy) maxInFlight(op string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.maxIn[op]
}

// setPaginate makes BatchGetSecretValue answer in two pages: moto never
// paginates a SecretIdList, the real service may. The first page holds the
// first secret value and a NextToken; the request with that token gets the
// rest and the Errors list.
func (p *awsProxy) setPaginate(on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.paginate = on
}

func (p *awsProxy) servePages(t *testing.T, w http.ResponseWriter, r *http.Request) {
	var req map[string]any
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	token, _ := req["NextToken"].(string)
	delete(req, "NextToken")
	body, _ := json.Marshal(req)
	fwd, _ := http.NewRequestWithContext(r.Context(), http.MethodPost, p.target+"/", bytes.NewReader(body))
	fwd.Header = r.Header.Clone()
	fwd.Header.Del("Content-Length")
	resp, err := http.DefaultClient.Do(fwd)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	var out struct {
		SecretValues []json.RawMessage
		Errors       []json.RawMessage
		NextToken    *string
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("paginating proxy: moto answered %s: %v", resp.Status, err)
		http.Error(w, "bad upstream answer", http.StatusBadGateway)
		return
	}
	switch token {
	case "":
		if len(out.SecretValues) > 1 {
			out.SecretValues, out.Errors = out.SecretValues[:1], []json.RawMessage{}
			out.NextToken = aws.String("page-2")
		}
	case "page-2":
		out.SecretValues = out.SecretValues[1:]
	default:
		t.Errorf("paginating proxy: unexpected NextToken %q", token)
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(out)
}
