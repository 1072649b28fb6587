// Package gcpfake is an in-process fake of Google Cloud Secret Manager's gRPC API
// (google.cloud.secretmanager.v1.SecretManagerService), written from the
// API reference: it implements the SDK's own server interface and answers
// AccessSecretVersion with the status codes and message shapes of the real
// service:
//
//	NOT_FOUND           Secret [projects/P/secrets/S] not found or has no versions.
//	NOT_FOUND           Secret Version [projects/P/secrets/S/versions/V] not found.
//	FAILED_PRECONDITION Secret Version [projects/P/secrets/S/versions/N] is in DISABLED state.
//	FAILED_PRECONDITION Secret Version [projects/P/secrets/S/versions/N] is in DESTROYED state.
//	PERMISSION_DENIED   Permission 'secretmanager.versions.access' denied for resource 'NAME' (or it may not exist).
//	RESOURCE_EXHAUSTED  Quota exceeded for quota metric 'Access requests' ...
//	INVALID_ARGUMENT    Resource ID [NAME] is not in a valid format.
//
// "latest" resolves to the most recently created version whatever its
// state, as the real service does; other aliases come from
// Secret.version_aliases. Secrets are seeded directly with Put, Disable,
// Destroy and Alias.
//
// It is test code: only the tests of the secrets package import it.
package gcpfake

import (
	"context"
	"hash/crc32"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"cloud.google.com/go/secretmanager/apiv1/secretmanagerpb"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
)

// Server is the fake. Its methods are safe for concurrent use.
type Server struct {
	secretmanagerpb.UnimplementedSecretManagerServiceServer

	addr string

	mu      sync.Mutex
	secrets map[string]*secret // by secret resource name
	// denied secret resource names answer PERMISSION_DENIED.
	denied map[string]bool
	// corrupt sends a data_crc32c that does not match the data.
	corrupt bool
	// noChecksum leaves data_crc32c out.
	noChecksum bool
	// exhausted is how many coming calls answer RESOURCE_EXHAUSTED; -1 is all.
	exhausted int
	// delay holds every call this long (or until the call is cancelled).
	delay time.Duration

	calls    []string // requested version names, in order
	inFlight int
	maxIn    int
}

type secret struct {
	secret   *secretmanagerpb.Secret
	versions []*secretmanagerpb.SecretVersion // versions[i] is number i+1
	payloads [][]byte
}

// Start serves a fake on 127.0.0.1 until the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Skipf("cannot listen on loopback: %v", err)
	}
	f := &Server{addr: lis.Addr().String(), secrets: map[string]*secret{}, denied: map[string]bool{}}
	srv := grpc.NewServer()
	secretmanagerpb.RegisterSecretManagerServiceServer(srv, f)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(lis)
	}()
	t.Cleanup(func() {
		srv.Stop()
		<-done
	})
	return f
}

// ClientOptions point an SDK client at the fake, without credentials.
func (f *Server) ClientOptions() []option.ClientOption {
	return []option.ClientOption{
		option.WithEndpoint(f.addr),
		option.WithoutAuthentication(),
		option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())),
	}
}

// Put adds a new enabled version holding data to the secret named parent +
// "/secrets/" + id, creating the secret first, and returns its number.
func (f *Server) Put(parent, id string, data []byte) int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	name := parent + "/secrets/" + id
	s, ok := f.secrets[name]
	if !ok {
		s = &secret{secret: &secretmanagerpb.Secret{Name: name, VersionAliases: map[string]int64{}}}
		f.secrets[name] = s
	}
	n := int64(len(s.versions) + 1)
	s.versions = append(s.versions, &secretmanagerpb.SecretVersion{
		Name:  name + "/versions/" + strconv.FormatInt(n, 10),
		State: secretmanagerpb.SecretVersion_ENABLED,
	})
	s.payloads = append(s.payloads, append([]byte(nil), data...))
	return n
}

// CreateEmpty creates a secret that has no version.
func (f *Server) CreateEmpty(parent, id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	name := parent + "/secrets/" + id
	f.secrets[name] = &secret{secret: &secretmanagerpb.Secret{Name: name, VersionAliases: map[string]int64{}}}
}

func (f *Server) setState(parent, id string, n int64, st secretmanagerpb.SecretVersion_State) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.secrets[parent+"/secrets/"+id]
	s.versions[n-1].State = st
	if st == secretmanagerpb.SecretVersion_DESTROYED {
		s.payloads[n-1] = nil
	}
}

// Disable disables version n.
func (f *Server) Disable(parent, id string, n int64) {
	f.setState(parent, id, n, secretmanagerpb.SecretVersion_DISABLED)
}

// Destroy destroys version n and forgets its payload.
func (f *Server) Destroy(parent, id string, n int64) {
	f.setState(parent, id, n, secretmanagerpb.SecretVersion_DESTROYED)
}

// Alias points alias at version n.
func (f *Server) Alias(parent, id, alias string, n int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.secrets[parent+"/secrets/"+id].secret.VersionAliases[alias] = n
}

// Deny makes every access to the secret answer PERMISSION_DENIED.
func (f *Server) Deny(parent, id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.denied[parent+"/secrets/"+id] = true
}

// SetCorrupt makes every answer carry a data_crc32c that does not match
// its data.
func (f *Server) SetCorrupt(on bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.corrupt = on
}

// SetNoChecksum makes every answer leave data_crc32c out.
func (f *Server) SetNoChecksum(on bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.noChecksum = on
}

// SetExhausted makes the next n calls answer RESOURCE_EXHAUSTED; -1 means
// every call.
func (f *Server) SetExhausted(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.exhausted = n
}

// SetDelay holds every call for d, or until it is cancelled.
func (f *Server) SetDelay(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.delay = d
}

// Addr is the server's host:port.
func (f *Server) Addr() string { return f.addr }

// Calls returns the version names requested so far.
func (f *Server) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

// MaxInFlight returns the most calls that were served at once.
func (f *Server) MaxInFlight() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.maxIn
}

// parseVersionName splits projects/P[/locations/L]/secrets/S/versions/V
// into the secret's resource name and V.
func parseVersionName(name string) (secret, version string, ok bool) {
	parts := strings.Split(name, "/")
	switch {
	case len(parts) == 6 && parts[0] == "projects" && parts[2] == "secrets" && parts[4] == "versions":
	case len(parts) == 8 && parts[0] == "projects" && parts[2] == "locations" && parts[4] == "secrets" && parts[6] == "versions":
	default:
		return "", "", false
	}
	for _, p := range parts {
		if p == "" {
			return "", "", false
		}
	}
	i := strings.LastIndex(name, "/versions/")
	return name[:i], name[i+len("/versions/"):], true
}

// AccessSecretVersion implements the service's method of that name.
func (f *Server) AccessSecretVersion(ctx context.Context, req *secretmanagerpb.AccessSecretVersionRequest) (*secretmanagerpb.AccessSecretVersionResponse, error) {
	f.mu.Lock()
	f.calls = append(f.calls, req.GetName())
	f.inFlight++
	f.maxIn = max(f.maxIn, f.inFlight)
	delay := f.delay
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.inFlight--
		f.mu.Unlock()
	}()
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-ctx.Done():
			return nil, status.FromContextError(ctx.Err()).Err()
		}
	}

	f.mu.Lock()
	defer f.mu.Unlock()
	if f.exhausted != 0 {
		if f.exhausted > 0 {
			f.exhausted--
		}
		return nil, status.Error(codes.ResourceExhausted,
			"Quota exceeded for quota metric 'Access requests' and limit 'Access requests per minute per project' of service 'secretmanager.googleapis.com' for consumer 'project_number:000000000000'.")
	}
	secretName, version, ok := parseVersionName(req.GetName())
	if !ok {
		return nil, status.Errorf(codes.InvalidArgument, "Resource ID [%s] is not in a valid format.", req.GetName())
	}
	if f.denied[secretName] {
		return nil, status.Errorf(codes.PermissionDenied,
			"Permission 'secretmanager.versions.access' denied for resource '%s' (or it may not exist).", req.GetName())
	}
	s, ok := f.secrets[secretName]
	if !ok || len(s.versions) == 0 {
		return nil, status.Errorf(codes.NotFound, "Secret [%s] not found or has no versions.", secretName)
	}
	var n int64
	switch {
	case version == "latest":
		n = int64(len(s.versions))
	case version[0] >= '0' && version[0] <= '9':
		v, err := strconv.ParseInt(version, 10, 64)
		if err != nil {
			return nil, status.Errorf(codes.InvalidArgument, "Resource ID [%s] is not in a valid format.", req.GetName())
		}
		n = v
	default:
		n = s.secret.VersionAliases[version]
	}
	if n < 1 || n > int64(len(s.versions)) {
		return nil, status.Errorf(codes.NotFound, "Secret Version [%s] not found.", req.GetName())
	}
	v := s.versions[n-1]
	switch v.State {
	case secretmanagerpb.SecretVersion_DISABLED, secretmanagerpb.SecretVersion_DESTROYED:
		return nil, status.Errorf(codes.FailedPrecondition, "Secret Version [%s] is in %s state.", v.Name, v.State)
	}
	data := append([]byte(nil), s.payloads[n-1]...)
	payload := &secretmanagerpb.SecretPayload{Data: data}
	if !f.noChecksum {
		sum := int64(crc32.Checksum(data, crc32.MakeTable(crc32.Castagnoli)))
		if f.corrupt {
			sum ^= 1
		}
		payload.DataCrc32C = &sum
	}
	return &secretmanagerpb.AccessSecretVersionResponse{Name: v.Name, Payload: payload}, nil
}

var _ secretmanagerpb.SecretManagerServiceServer = (*Server)(nil)
