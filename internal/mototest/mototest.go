// Package mototest starts moto_server, the AWS API emulator, for tests that
// talk to AWS services through the real SDK on loopback.
//
// [Start] finds moto_server on PATH, runs it on a free 127.0.0.1 port, waits
// until it answers and stops it when the test ends. Without moto_server the
// test is skipped with a message, except when the environment variable CI is
// "true": there a missing server is a failure, so CI cannot pass by
// skipping.
package mototest

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"
)

// Binary is the program Start looks for on PATH.
const Binary = "moto_server"

// startTimeout bounds how long Start waits for the server to answer.
const startTimeout = 60 * time.Second

// Server is a running moto_server.
type Server struct {
	// URL is the endpoint, e.g. "http://127.0.0.1:41234", for
	// AWS_ENDPOINT_URL or an SDK client's BaseEndpoint.
	URL string

	cmd *exec.Cmd
	out *syncBuffer
}

// Start runs moto_server on a free loopback port and registers its shutdown
// with t.Cleanup. It skips t when moto_server is not on PATH, or fails it
// when the environment variable CI is "true".
func Start(t testing.TB) *Server {
	t.Helper()
	path, err := exec.LookPath(Binary)
	if err != nil {
		msg := fmt.Sprintf("%s not found on PATH (pip install 'moto[server]'): %v", Binary, err)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	port, err := freePort()
	if err != nil {
		t.Fatalf("mototest: no free port: %v", err)
	}
	out := &syncBuffer{}
	cmd := exec.Command(path, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	cmd.Stdout = out
	cmd.Stderr = out
	setProcessGroup(cmd)
	if err := cmd.Start(); err != nil {
		t.Fatalf("mototest: start %s: %v", path, err)
	}
	s := &Server{URL: "http://127.0.0.1:" + strconv.Itoa(port), cmd: cmd, out: out}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		killProcessGroup(cmd)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			t.Logf("mototest: %s (pid %d) did not exit", Binary, cmd.Process.Pid)
		}
	})
	if err := s.waitReady(exited); err != nil {
		t.Fatalf("mototest: %v\n%s output:\n%s", err, Binary, out.String())
	}
	return s
}

// waitReady polls the server until it answers HTTP, it exits, or
// startTimeout passes.
func (s *Server) waitReady(exited <-chan struct{}) error {
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	client := &http.Client{Timeout: 2 * time.Second}
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+"/moto-api/", nil)
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			return nil
		}
		select {
		case <-exited:
			return fmt.Errorf("%s exited before it was ready", Binary)
		case <-ctx.Done():
			return fmt.Errorf("%s not ready after %s", Binary, startTimeout)
		case <-tick.C:
		}
	}
}

// Reset drops every resource the server holds, through moto's
// /moto-api/reset endpoint.
func (s *Server) Reset(t testing.TB) {
	t.Helper()
	resp, err := http.Post(s.URL+"/moto-api/reset", "application/json", nil)
	if err != nil {
		t.Fatalf("mototest: reset: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("mototest: reset: status %s", resp.Status)
	}
}

// Setenv points the AWS SDK's default configuration chain at the server for
// the rest of t: AWS_ENDPOINT_URL, dummy static credentials, region
// us-east-1, and shared config files and instance metadata switched off so
// that nothing from the machine leaks in. Like t.Setenv it cannot be used in
// parallel tests.
func (s *Server) Setenv(t testing.TB) {
	t.Helper()
	none := t.TempDir() + "/none"
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL":                    s.URL,
		"AWS_ACCESS_KEY_ID":                   "test",
		"AWS_SECRET_ACCESS_KEY":               "test",
		"AWS_SESSION_TOKEN":                   "",
		"AWS_REGION":                          "us-east-1",
		"AWS_DEFAULT_REGION":                  "",
		"AWS_PROFILE":                         "",
		"AWS_CONFIG_FILE":                     none,
		"AWS_SHARED_CREDENTIALS_FILE":         none,
		"AWS_EC2_METADATA_DISABLED":           "true",
		"AWS_MAX_ATTEMPTS":                    "",
		"AWS_RETRY_MODE":                      "",
		"AWS_ENDPOINT_URL_SECRETS_MANAGER":    "",
		"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "",
	} {
		t.Setenv(k, v)
		if v == "" {
			os.Unsetenv(k) // t.Setenv restores it afterwards
		}
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// syncBuffer collects the server's output for failure messages.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.buf.Len() > 1<<20 {
		return len(p), nil
	}
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
