package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"reflect"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"golang.org/x/sync/errgroup"

	"github.com/fathom-dev/secrets"
)

// awsKeys is how many keys BenchmarkAWS100 loads.
const awsKeys = 100

// awsSpec is the spec BenchmarkAWS100 opens: one secret per key, named
// bench/KEY.
const awsSpec = "awssm://?region=us-east-1&prefix=bench/"

// TestMain stops the moto_server a benchmark started, once all have run.
func TestMain(m *testing.M) {
	code := m.Run()
	moto.stop()
	os.Exit(code)
}

// motoServer is one moto_server process shared by the benchmarks of a run,
// started on first use.
type motoServer struct {
	once sync.Once
	cmd  *exec.Cmd
	url  string
	err  error
}

var moto motoServer

// start starts moto_server on a free loopback port and waits until it
// answers, once per process.
func (m *motoServer) start() (string, error) {
	m.once.Do(func() {
		path, err := exec.LookPath("moto_server")
		if err != nil {
			m.err = fmt.Errorf("moto_server is not on PATH: %w", err)
			return
		}
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			m.err = err
			return
		}
		port := l.Addr().(*net.TCPAddr).Port
		_ = l.Close()
		cmd := exec.Command(path, "-H", "127.0.0.1", "-p", fmt.Sprint(port))
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // to stop the python it execs, too
		// moto's boto reads AWS_* too: keep the benchmark's settings away.
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, "AWS_") {
				cmd.Env = append(cmd.Env, kv)
			}
		}
		if err := cmd.Start(); err != nil {
			m.err = fmt.Errorf("start moto_server: %w", err)
			return
		}
		m.cmd = cmd
		m.url = fmt.Sprintf("http://127.0.0.1:%d", port)
		deadline := time.Now().Add(60 * time.Second)
		for {
			resp, err := http.Get(m.url + "/moto-api/")
			if err == nil {
				_ = resp.Body.Close()
				return
			}
			if time.Now().After(deadline) {
				m.err = fmt.Errorf("moto_server did not answer on %s within 60s: %w", m.url, err)
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	return m.url, m.err
}

// stop kills the moto_server process group this process started.
func (m *motoServer) stop() {
	if m.cmd != nil && m.cmd.Process != nil {
		_ = syscall.Kill(-m.cmd.Process.Pid, syscall.SIGKILL)
		_ = m.cmd.Wait()
	}
}

// countingProxy forwards to moto_server and counts requests by their
// X-Amz-Target header (the API operation, e.g.
// secretsmanager.BatchGetSecretValue).
type countingProxy struct {
	proxy *httputil.ReverseProxy
	mu    sync.Mutex
	calls map[string]int
}

func (p *countingProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op := r.Header.Get("X-Amz-Target")
	if i := strings.LastIndexByte(op, '.'); i >= 0 {
		op = op[i+1:]
	}
	p.mu.Lock()
	p.calls[op]++
	p.mu.Unlock()
	p.proxy.ServeHTTP(w, r)
}

// reset zeroes the counts.
func (p *countingProxy) reset() {
	p.mu.Lock()
	p.calls = map[string]int{}
	p.mu.Unlock()
}

// counts returns a copy of the counts.
func (p *countingProxy) counts() map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[string]int, len(p.calls))
	for k, v := range p.calls {
		out[k] = v
	}
	return out
}

// setAWSEnv points the AWS SDK's default chain at endpoint, with dummy
// credentials and no shared config or instance metadata.
func setAWSEnv(b *testing.B, endpoint string) {
	dir := b.TempDir()
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL":            endpoint,
		"AWS_ACCESS_KEY_ID":           "test",
		"AWS_SECRET_ACCESS_KEY":       "test",
		"AWS_REGION":                  "us-east-1",
		"AWS_CONFIG_FILE":             dir + "/config",
		"AWS_SHARED_CREDENTIALS_FILE": dir + "/credentials",
		"AWS_EC2_METADATA_DISABLED":   "true",
	} {
		b.Setenv(k, v)
	}
	for _, k := range []string{"AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL_SECRETS_MANAGER"} {
		b.Setenv(k, "") // restored after the benchmark
		os.Unsetenv(k)
	}
}

// createSecrets creates bench/key_I = value-I, I < n, in moto, directly
// (not through the proxy). Existing secrets are left as they are.
var createOnce sync.Once

func createSecrets(ctx context.Context, motoURL string, n int) error {
	var err error
	createOnce.Do(func() {
		var cfg aws.Config
		cfg, err = config.LoadDefaultConfig(ctx)
		if err != nil {
			return
		}
		client := secretsmanager.NewFromConfig(cfg, func(o *secretsmanager.Options) {
			o.BaseEndpoint = aws.String(motoURL)
		})
		var g errgroup.Group
		g.SetLimit(8)
		for i := range n {
			g.Go(func() error {
				_, err := client.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
					Name:         aws.String(fmt.Sprintf("bench/key_%d", i)),
					SecretString: aws.String(fmt.Sprintf("value-%d", i)),
				})
				return err
			})
		}
		err = g.Wait()
	})
	return err
}

// BenchmarkAWS100 loads a struct of 100 keys through the AWS Secrets
// Manager source (awssm://?region=us-east-1&prefix=bench/) from a
// moto_server on loopback, behind a proxy that counts API calls. It
// reports calls/op and, per operation, OPERATION/op; ns/op is the wall
// time of one Load. It skips when moto_server is not installed, or when
// this build of secrets has no awssm:// backend.
func BenchmarkAWS100(b *testing.B) {
	ctx := context.Background()

	// Ask Open first: before the AWS backend is merged it answers
	// "unknown scheme", and there is nothing to measure.
	setAWSEnv(b, "http://127.0.0.1:1")
	probe, err := secrets.Open(ctx, awsSpec)
	if errors.Is(err, secrets.ErrInvalidSpec) || errors.Is(err, secrets.ErrNotCompiled) {
		b.Skipf("skipped: this build of secrets cannot open %s (%v); the AWS backend comes from branch backend-aws", awsSpec, err)
	}
	if err != nil {
		b.Fatal(err)
	}
	if c, ok := probe.(io.Closer); ok {
		_ = c.Close()
	}

	motoURL, err := moto.start()
	if err != nil {
		b.Skipf("skipped: %v", err)
	}
	target, err := url.Parse(motoURL)
	if err != nil {
		b.Fatal(err)
	}
	counter := &countingProxy{proxy: httputil.NewSingleHostReverseProxy(target), calls: map[string]int{}}
	proxy := httptest.NewServer(counter)
	defer proxy.Close()
	setAWSEnv(b, proxy.URL)
	if err := createSecrets(ctx, motoURL, awsKeys); err != nil {
		b.Fatalf("create secrets in moto: %v", err)
	}

	src, err := secrets.Open(ctx, awsSpec)
	if err != nil {
		b.Fatal(err)
	}
	if c, ok := src.(io.Closer); ok {
		defer c.Close()
	}
	typ := keysType(awsKeys, "secret")
	counter.reset()
	for b.Loop() {
		dst := reflect.New(typ)
		if err := secrets.Load(ctx, dst.Interface(), src); err != nil {
			b.Fatal(err)
		}
		if got := dst.Elem().Field(awsKeys - 1).String(); got != fmt.Sprintf("value-%d", awsKeys-1) {
			b.Fatalf("key_%d = %q", awsKeys-1, got)
		}
	}
	counts := counter.counts()
	total := 0
	ops := make([]string, 0, len(counts))
	for op, n := range counts {
		total += n
		ops = append(ops, op)
	}
	sort.Strings(ops)
	b.ReportMetric(float64(total)/float64(b.N), "calls/op")
	for _, op := range ops {
		name := op
		if name == "" {
			name = "untargeted"
		}
		b.ReportMetric(float64(counts[op])/float64(b.N), name+"/op")
	}
}
