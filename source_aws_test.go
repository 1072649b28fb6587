//go:build !secrets_noaws

package secrets_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fathom-dev/secrets"
	"github.com/fathom-dev/secrets/internal/mototest"
	"github.com/fathom-dev/secrets/secretstest"
)

// awsTest is one moto_server with a fault-injecting proxy in front, an
// admin client that writes secrets straight to moto, and the configuration
// sources under test use (through the proxy, counting SDK calls).
type awsTest struct {
	t     *testing.T
	moto  *mototest.Server
	proxy *awsProxy
	cfg   aws.Config
	admin *secretsmanager.Client
	ops   *opCounter
}

var awsSeq atomic.Int64

// uniq returns a fresh secret name prefix, so subtests sharing one server
// never see each other's secrets.
func uniq() string { return fmt.Sprintf("t%d/", awsSeq.Add(1)) }

func newAWSTest(t *testing.T) *awsTest {
	t.Helper()
	moto := mototest.Start(t)
	proxy := newAWSProxy(t, moto.URL)
	base := aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
	}
	admin := secretsmanager.NewFromConfig(base, func(o *secretsmanager.Options) {
		o.BaseEndpoint = aws.String(moto.URL)
	})
	cfg := base.Copy()
	cfg.BaseEndpoint = aws.String(proxy.URL)
	ops := &opCounter{calls: map[string]int{}}
	ops.install(&cfg)
	return &awsTest{t: t, moto: moto, proxy: proxy, cfg: cfg, admin: admin, ops: ops}
}

// source returns an AWS source on the proxy.
func (at *awsTest) source(opts secrets.AWSOptions) *secrets.AWS {
	at.t.Helper()
	src, err := secrets.NewAWS(at.cfg, opts)
	require.NoError(at.t, err)
	return src
}

// create makes a secret holding v, as SecretString when v is UTF-8 and as
// SecretBinary otherwise, and returns its version id.
func (at *awsTest) create(t *testing.T, name string, v []byte) string {
	t.Helper()
	in := &secretsmanager.CreateSecretInput{Name: aws.String(name)}
	if utf8.Valid(v) {
		in.SecretString = aws.String(string(v))
	} else {
		in.SecretBinary = v
	}
	out, err := at.admin.CreateSecret(context.Background(), in)
	require.NoError(t, err)
	return aws.ToString(out.VersionId)
}

// put adds a version holding v, with stages (AWSCURRENT when none), and
// returns its version id.
func (at *awsTest) put(t *testing.T, name string, v string, stages ...string) string {
	t.Helper()
	out, err := at.admin.PutSecretValue(context.Background(), &secretsmanager.PutSecretValueInput{
		SecretId:      aws.String(name),
		SecretString:  aws.String(v),
		VersionStages: stages,
	})
	require.NoError(t, err)
	return aws.ToString(out.VersionId)
}

func (at *awsTest) createJSON(t *testing.T, name string, fields map[string]string) string {
	t.Helper()
	doc, err := json.Marshal(fields)
	require.NoError(t, err)
	return at.create(t, name, doc)
}

// opCounter counts SDK operation calls (not HTTP attempts) with an
// Initialize-step middleware, and the ids of each BatchGetSecretValue call.
type opCounter struct {
	mu         sync.Mutex
	calls      map[string]int
	batchSizes []int
}

func (c *opCounter) install(cfg *aws.Config) {
	cfg.APIOptions = append(cfg.APIOptions, func(stack *middleware.Stack) error {
		return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("CountOperations",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				c.mu.Lock()
				c.calls[awsmiddleware.GetOperationName(ctx)]++
				if b, ok := in.Parameters.(*secretsmanager.BatchGetSecretValueInput); ok {
					c.batchSizes = append(c.batchSizes, len(b.SecretIdList))
				}
				c.mu.Unlock()
				return next.HandleInitialize(ctx, in)
			}), middleware.After)
	})
}

func (c *opCounter) count(op string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.calls[op]
}

func (c *opCounter) sizes() []int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]int(nil), c.batchSizes...)
}

func (c *opCounter) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls = map[string]int{}
	c.batchSizes = nil
}

// missingVersion is a version id no secret has.
const missingVersion = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"

func TestAWSConformance(t *testing.T) {
	at := newAWSTest(t)

	t.Run("SecretPerKey", func(t *testing.T) {
		secretstest.Run(t, secretstest.Harness{
			New: func(t *testing.T, data map[string][]byte) secrets.Source {
				prefix := uniq()
				for k, v := range data {
					at.create(t, prefix+k, v)
				}
				return at.source(secrets.AWSOptions{Prefix: prefix})
			},
			Versions: func(t *testing.T, key string, values [][]byte) (secrets.Source, []string) {
				prefix := uniq()
				ids := []string{at.create(t, prefix+key, values[0])}
				for _, v := range values[1:] {
					ids = append(ids, at.put(t, prefix+key, string(v)))
				}
				return at.source(secrets.AWSOptions{Prefix: prefix}), ids
			},
			MissingVersion: missingVersion,
			// Secrets Manager requires SecretString and SecretBinary to
			// be at least one character long.
			NoEmpty: true,
		})
	})

	t.Run("JSONSecret", func(t *testing.T) {
		secretstest.Run(t, secretstest.Harness{
			New: func(t *testing.T, data map[string][]byte) secrets.Source {
				id := uniq() + "config"
				fields := map[string]string{}
				for k, v := range data {
					fields[k] = string(v)
				}
				at.createJSON(t, id, fields)
				return at.source(secrets.AWSOptions{SecretID: id})
			},
			Versions: func(t *testing.T, key string, values [][]byte) (secrets.Source, []string) {
				id := uniq() + "config"
				ids := []string{at.createJSON(t, id, map[string]string{key: string(values[0])})}
				for _, v := range values[1:] {
					doc, _ := json.Marshal(map[string]string{key: string(v)})
					ids = append(ids, at.put(t, id, string(doc)))
				}
				return at.source(secrets.AWSOptions{SecretID: id}), ids
			},
			MissingVersion: missingVersion,
			NoBinary:       true, // a JSON document holds text
		})
	})
}

func TestAWSStages(t *testing.T) {
	at := newAWSTest(t)
	ctx := context.Background()
	prefix := uniq()
	name := prefix + "db_password"
	id1 := at.create(t, name, []byte("first-s3cr3t"))
	id2 := at.put(t, name, "second-s3cr3t")        // AWSCURRENT; first becomes AWSPREVIOUS
	id3 := at.put(t, name, "third-s3cr3t", "BLUE") // custom label only
	_, err := at.admin.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{
		SecretId: aws.String(name), VersionStage: aws.String("GREEN"), MoveToVersionId: aws.String(id1),
	})
	require.NoError(t, err)
	src := at.source(secrets.AWSOptions{Prefix: prefix})

	for _, tc := range []struct {
		version, want, wantID string
	}{
		{"", "second-s3cr3t", id2},
		{"AWSCURRENT", "second-s3cr3t", id2},
		{"AWSPREVIOUS", "first-s3cr3t", id1},
		{"BLUE", "third-s3cr3t", id3},
		{"GREEN", "first-s3cr3t", id1},
		{id3, "third-s3cr3t", id3},
	} {
		t.Run("version="+tc.version, func(t *testing.T) {
			v, err := src.Lookup(ctx, secrets.Ref{Key: "db_password", Version: tc.version})
			require.NoError(t, err)
			assert.Equal(t, tc.want, string(v.Data))
			assert.Equal(t, tc.wantID, v.Version, "Value.Version is the version id served")
		})
	}

	t.Run("UnknownLabel", func(t *testing.T) {
		_, err := src.Lookup(ctx, secrets.Ref{Key: "db_password", Version: "NO_SUCH_LABEL"})
		assert.ErrorIs(t, err, secrets.ErrNotFound)
		assert.NotContains(t, err.Error(), "s3cr3t")
	})

	t.Run("LabelsMoved", func(t *testing.T) {
		// A custom label moves, and a rotation moves AWSCURRENT; the next
		// lookups serve the new versions (nothing is cached). moto does
		// not move the default version when UpdateSecretVersionStage moves
		// AWSCURRENT, so the rotation here is a PutSecretValue.
		_, err := at.admin.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{
			SecretId: aws.String(name), VersionStage: aws.String("BLUE"),
			MoveToVersionId: aws.String(id2), RemoveFromVersionId: aws.String(id3),
		})
		require.NoError(t, err)
		v, err := src.Lookup(ctx, secrets.Ref{Key: "db_password", Version: "BLUE"})
		require.NoError(t, err)
		assert.Equal(t, "second-s3cr3t", string(v.Data))
		assert.Equal(t, id2, v.Version)

		id4 := at.put(t, name, "fourth-s3cr3t")
		res := src.LookupBatch(ctx, []secrets.Ref{{Key: "db_password"}, {Key: "db_password", Version: "AWSPREVIOUS"}})
		require.NoError(t, res[0].Err)
		assert.Equal(t, "fourth-s3cr3t", string(res[0].Value.Data))
		assert.Equal(t, id4, res[0].Value.Version)
		require.NoError(t, res[1].Err)
		assert.Equal(t, "second-s3cr3t", string(res[1].Value.Data))
		assert.Equal(t, id2, res[1].Value.Version)
	})

	t.Run("JSONSecret", func(t *testing.T) {
		id := uniq() + "config"
		v1 := at.createJSON(t, id, map[string]string{"port": "1111"})
		v2 := at.put(t, id, `{"port":"2222"}`)
		doc := at.source(secrets.AWSOptions{SecretID: id})
		res := doc.LookupBatch(ctx, []secrets.Ref{{Key: "port"}, {Key: "port", Version: "AWSPREVIOUS"}, {Key: "port", Version: v1}})
		require.NoError(t, res[0].Err)
		assert.Equal(t, "2222", string(res[0].Value.Data))
		assert.Equal(t, v2, res[0].Value.Version)
		for _, r := range res[1:] {
			require.NoError(t, r.Err)
			assert.Equal(t, "1111", string(r.Value.Data))
			assert.Equal(t, v1, r.Value.Version)
		}
	})
}

func TestAWSBinary(t *testing.T) {
	at := newAWSTest(t)
	ctx := context.Background()
	prefix := uniq()
	// SecretBinary, whether or not the bytes happen to be UTF-8.
	values := map[string][]byte{
		"tls_key": {0x00, 0xff, 0xfe, 0x80, 0x0a, 0x0d, 0x00, 0x7f},
		"blob":    []byte("text stored as SecretBinary"),
	}
	ids := map[string]string{}
	for k, v := range values {
		out, err := at.admin.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(prefix + k), SecretBinary: v})
		require.NoError(t, err)
		ids[k] = aws.ToString(out.VersionId)
	}
	src := at.source(secrets.AWSOptions{Prefix: prefix})
	for k, want := range values {
		v, err := src.Lookup(ctx, secrets.Ref{Key: k})
		require.NoError(t, err)
		assert.Equal(t, want, v.Data, "GetSecretValue %s", k)
		assert.Equal(t, ids[k], v.Version)
	}
	res := src.LookupBatch(ctx, []secrets.Ref{{Key: "tls_key"}, {Key: "blob"}})
	for i, k := range []string{"tls_key", "blob"} {
		require.NoError(t, res[i].Err)
		assert.Equal(t, values[k], res[i].Value.Data, "BatchGetSecretValue %s", k)
		assert.Equal(t, ids[k], res[i].Value.Version)
	}
	assert.Equal(t, 1, at.ops.count("BatchGetSecretValue"))
}

func TestAWSBatch(t *testing.T) {
	at := newAWSTest(t)
	ctx := context.Background()

	t.Run("HundredKeysFiveCalls", func(t *testing.T) {
		prefix := uniq()
		var refs []secrets.Ref
		for i := range 100 {
			key := fmt.Sprintf("key_%03d", i)
			at.create(t, prefix+key, []byte("value-"+key))
			refs = append(refs, secrets.Ref{Key: key})
		}
		src := at.source(secrets.AWSOptions{Prefix: prefix})
		at.ops.reset()
		res := src.LookupBatch(ctx, refs)
		require.Len(t, res, 100)
		for i, r := range res {
			require.NoError(t, r.Err, refs[i].Key)
			assert.Equal(t, "value-"+refs[i].Key, string(r.Value.Data))
			assert.NotEmpty(t, r.Value.Version)
		}
		assert.Equal(t, 5, at.ops.count("BatchGetSecretValue"), "100 keys in 5 calls of 20")
		assert.Equal(t, []int{20, 20, 20, 20, 20}, at.ops.sizes())
		assert.Zero(t, at.ops.count("GetSecretValue"))
	})

	t.Run("BoundedBatchCalls", func(t *testing.T) {
		prefix := uniq()
		var refs []secrets.Ref
		for i := range 100 {
			key := fmt.Sprintf("key_%03d", i)
			at.create(t, prefix+key, []byte("value-"+key))
			refs = append(refs, secrets.Ref{Key: key})
		}
		at.proxy.delay("BatchGetSecretValue", 100*time.Millisecond)
		t.Cleanup(func() { at.proxy.delay("BatchGetSecretValue", 0) })
		res := at.source(secrets.AWSOptions{Prefix: prefix}).LookupBatch(ctx, refs)
		for _, r := range res {
			require.NoError(t, r.Err)
		}
		assert.Equal(t, 2, at.proxy.maxInFlight("BatchGetSecretValue"),
			"BatchGetSecretValue calls overlap, at most two at a time (quota: 100 per second)")
	})

	t.Run("Pagination", func(t *testing.T) {
		prefix := uniq()
		for _, k := range []string{"a", "b", "c"} {
			at.create(t, prefix+k, []byte(k+"-s3cr3t"))
		}
		at.proxy.setPaginate(true)
		t.Cleanup(func() { at.proxy.setPaginate(false) })
		at.ops.reset()
		res := at.source(secrets.AWSOptions{Prefix: prefix}).LookupBatch(ctx,
			[]secrets.Ref{{Key: "a"}, {Key: "b"}, {Key: "missing"}, {Key: "c"}})
		for i, k := range []string{"a", "b", "", "c"} {
			if k == "" {
				assert.ErrorIs(t, res[i].Err, secrets.ErrNotFound)
				continue
			}
			require.NoError(t, res[i].Err, k)
			assert.Equal(t, k+"-s3cr3t", string(res[i].Value.Data))
		}
		assert.Equal(t, 2, at.ops.count("BatchGetSecretValue"), "the second page is fetched with NextToken")
		assert.Zero(t, at.ops.count("GetSecretValue"), "every secret came from a page")
	})

	t.Run("NotFoundAndErrorsInsideBatch", func(t *testing.T) {
		prefix := uniq()
		at.create(t, prefix+"alpha", []byte("alpha-s3cr3t"))
		at.create(t, prefix+"beta", []byte("beta-s3cr3t"))
		at.create(t, prefix+"deleted", []byte("deleted-s3cr3t"))
		_, err := at.admin.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{
			SecretId: aws.String(prefix + "deleted"), RecoveryWindowInDays: aws.Int64(7),
		})
		require.NoError(t, err)
		src := at.source(secrets.AWSOptions{Prefix: prefix})
		at.ops.reset()
		res := src.LookupBatch(ctx, []secrets.Ref{
			{Key: "alpha"},
			{Key: "missing"},
			{Key: "deleted"},
			{Key: "beta"},
			{Key: "alpha"},                          // duplicate: asked once
			{Key: "beta", Version: "AWSCURRENT"},    // versioned: GetSecretValue
			{Key: "missing", Version: "AWSCURRENT"}, // versioned and missing
		})
		require.Len(t, res, 7)
		require.NoError(t, res[0].Err)
		assert.Equal(t, "alpha-s3cr3t", string(res[0].Value.Data))
		assert.ErrorIs(t, res[1].Err, secrets.ErrNotFound, "a ResourceNotFoundException entry misses only its key")
		require.Error(t, res[2].Err, "a secret marked for deletion is an error for its key")
		assert.NotErrorIs(t, res[2].Err, secrets.ErrNotFound)
		var ae smithy.APIError
		require.ErrorAs(t, res[2].Err, &ae)
		assert.Equal(t, "InvalidRequestException", ae.ErrorCode())
		assert.Contains(t, res[2].Err.Error(), prefix+"deleted")
		require.NoError(t, res[3].Err)
		assert.Equal(t, "beta-s3cr3t", string(res[3].Value.Data))
		require.NoError(t, res[4].Err)
		assert.Equal(t, "alpha-s3cr3t", string(res[4].Value.Data))
		require.NoError(t, res[5].Err)
		assert.Equal(t, "beta-s3cr3t", string(res[5].Value.Data))
		assert.ErrorIs(t, res[6].Err, secrets.ErrNotFound)
		for _, r := range res {
			if r.Err != nil {
				assert.NotContains(t, r.Err.Error(), "s3cr3t")
			}
		}
		assert.Equal(t, 1, at.ops.count("BatchGetSecretValue"))
		assert.Equal(t, []int{4}, at.ops.sizes(), "alpha, missing, deleted, beta: duplicates asked once")
		assert.Equal(t, 2, at.ops.count("GetSecretValue"), "only the versioned refs")
	})

	t.Run("KeysByARN", func(t *testing.T) {
		// Response entries carry Name and ARN; a request by ARN maps back.
		name := uniq() + "by_arn"
		out, err := at.admin.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(name), SecretString: aws.String("arn-s3cr3t")})
		require.NoError(t, err)
		other := uniq() + "by_name"
		at.create(t, other, []byte("name-s3cr3t"))
		src := at.source(secrets.AWSOptions{})
		at.ops.reset()
		res := src.LookupBatch(ctx, []secrets.Ref{{Key: aws.ToString(out.ARN)}, {Key: other}})
		require.NoError(t, res[0].Err)
		assert.Equal(t, "arn-s3cr3t", string(res[0].Value.Data))
		require.NoError(t, res[1].Err)
		assert.Equal(t, "name-s3cr3t", string(res[1].Value.Data))
		assert.Equal(t, 1, at.ops.count("BatchGetSecretValue"))
		assert.Zero(t, at.ops.count("GetSecretValue"), "no fallback: both entries mapped back")
	})

	t.Run("BatchDeniedFallsBack", func(t *testing.T) {
		// Credentials allowed GetSecretValue but not BatchGetSecretValue.
		prefix := uniq()
		at.create(t, prefix+"alpha", []byte("alpha-s3cr3t"))
		at.create(t, prefix+"beta", []byte("beta-s3cr3t"))
		at.proxy.fail("BatchGetSecretValue", faultBatchDenied)
		t.Cleanup(func() { at.proxy.fail("BatchGetSecretValue", awsFault{}) })
		src := at.source(secrets.AWSOptions{Prefix: prefix})
		at.proxy.reset()
		for range 2 {
			res := src.LookupBatch(ctx, []secrets.Ref{{Key: "alpha"}, {Key: "missing"}, {Key: "beta"}})
			require.NoError(t, res[0].Err)
			assert.Equal(t, "alpha-s3cr3t", string(res[0].Value.Data))
			assert.ErrorIs(t, res[1].Err, secrets.ErrNotFound)
			require.NoError(t, res[2].Err)
			assert.Equal(t, "beta-s3cr3t", string(res[2].Value.Data))
		}
		assert.Equal(t, 1, at.proxy.count("BatchGetSecretValue"), "a denied batch is not asked again")
		assert.Equal(t, 6, at.proxy.count("GetSecretValue"))
	})

	t.Run("WholeCallFailure", func(t *testing.T) {
		prefix := uniq()
		at.create(t, prefix+"alpha", []byte("alpha-s3cr3t"))
		cfg := at.cfg.Copy()
		cfg.Retryer = func() aws.Retryer { return aws.NopRetryer{} }
		src, err := secrets.NewAWS(cfg, secrets.AWSOptions{Prefix: prefix})
		require.NoError(t, err)
		at.proxy.inject("BatchGetSecretValue", faultThrottling)
		res := src.LookupBatch(ctx, []secrets.Ref{{Key: "alpha"}, {Key: "missing"}})
		for _, r := range res {
			assert.ErrorIs(t, r.Err, secrets.ErrThrottled)
			assert.NotErrorIs(t, r.Err, secrets.ErrNotFound)
		}
	})

	t.Run("CanceledContext", func(t *testing.T) {
		src := at.source(secrets.AWSOptions{Prefix: uniq()})
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		res := src.LookupBatch(cctx, []secrets.Ref{{Key: "a"}, {Key: "b", Version: "AWSPREVIOUS"}})
		for _, r := range res {
			assert.ErrorIs(t, r.Err, context.Canceled)
			assert.NotErrorIs(t, r.Err, secrets.ErrNotFound)
		}
	})
}

func TestAWSJSONSecret(t *testing.T) {
	at := newAWSTest(t)
	ctx := context.Background()
	id := uniq() + "config"
	doc := `{"db_password":"p\u00e4ss-s3cr3t","port":8080,"debug":true,"ratio":0.5,` +
		`"db":{"user":"app","password":"nested-s3cr3t"},"hosts":["a","b"],"nothing":null,"app_port":"9090"}`
	version := at.create(t, id, []byte(doc))
	src := at.source(secrets.AWSOptions{SecretID: id})

	t.Run("OneFetchForAllKeys", func(t *testing.T) {
		at.ops.reset()
		keys := []string{"db_password", "port", "debug", "ratio", "db", "hosts", "nothing", "missing"}
		refs := make([]secrets.Ref, len(keys))
		for i, k := range keys {
			refs[i] = secrets.Ref{Key: k}
		}
		res := src.LookupBatch(ctx, refs)
		want := []string{"päss-s3cr3t", "8080", "true", "0.5", `{"user":"app","password":"nested-s3cr3t"}`, `["a","b"]`, "null"}
		for i, w := range want {
			require.NoError(t, res[i].Err, keys[i])
			assert.Equal(t, w, string(res[i].Value.Data), keys[i])
			assert.Equal(t, version, res[i].Value.Version)
		}
		assert.ErrorIs(t, res[7].Err, secrets.ErrNotFound)
		assert.NotContains(t, res[7].Err.Error(), "s3cr3t")
		assert.Equal(t, 1, at.ops.count("GetSecretValue"), "one fetch serves every key")
		assert.Zero(t, at.ops.count("BatchGetSecretValue"))
	})

	t.Run("Prefix", func(t *testing.T) {
		p := at.source(secrets.AWSOptions{SecretID: id, Prefix: "app_"})
		v, err := p.Lookup(ctx, secrets.Ref{Key: "port"})
		require.NoError(t, err)
		assert.Equal(t, "9090", string(v.Data))
	})

	t.Run("ConcurrentLookupsShareOneFetch", func(t *testing.T) {
		at.proxy.delay("GetSecretValue", 300*time.Millisecond)
		t.Cleanup(func() { at.proxy.delay("GetSecretValue", 0) })
		at.ops.reset()
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				v, err := src.Lookup(ctx, secrets.Ref{Key: "port"})
				assert.NoError(t, err)
				assert.Equal(t, "8080", string(v.Data))
			})
		}
		wg.Wait()
		assert.Equal(t, 1, at.ops.count("GetSecretValue"))
	})

	t.Run("CancelledCallerDoesNotFailOthers", func(t *testing.T) {
		at.proxy.delay("GetSecretValue", 300*time.Millisecond)
		t.Cleanup(func() { at.proxy.delay("GetSecretValue", 0) })
		lctx, cancel := context.WithCancel(ctx)
		first := make(chan error, 1)
		go func() {
			_, err := src.Lookup(lctx, secrets.Ref{Key: "port"})
			first <- err
		}()
		time.Sleep(50 * time.Millisecond) // the first lookup leads the fetch
		second := make(chan error, 1)
		go func() {
			v, err := src.Lookup(ctx, secrets.Ref{Key: "debug"})
			if err == nil && string(v.Data) != "true" {
				err = errors.New("wrong value")
			}
			second <- err
		}()
		time.Sleep(50 * time.Millisecond)
		cancel()
		assert.ErrorIs(t, <-first, context.Canceled)
		assert.NoError(t, <-second)
	})

	t.Run("NoStaleValues", func(t *testing.T) {
		id := uniq() + "config"
		at.createJSON(t, id, map[string]string{"token": "old-s3cr3t"})
		src := at.source(secrets.AWSOptions{SecretID: id})
		res := src.LookupBatch(ctx, []secrets.Ref{{Key: "token"}})
		require.NoError(t, res[0].Err)
		assert.Equal(t, "old-s3cr3t", string(res[0].Value.Data))
		at.put(t, id, `{"token":"new-s3cr3t"}`)
		res = src.LookupBatch(ctx, []secrets.Ref{{Key: "token"}})
		require.NoError(t, res[0].Err)
		assert.Equal(t, "new-s3cr3t", string(res[0].Value.Data))
		v, err := src.Lookup(ctx, secrets.Ref{Key: "token"})
		require.NoError(t, err)
		assert.Equal(t, "new-s3cr3t", string(v.Data))
	})

	t.Run("NotAJSONObject", func(t *testing.T) {
		for _, body := range []string{"plain-s3cr3t-text", `["array-s3cr3t"]`, "null", `{"broken-s3cr3t": `} {
			id := uniq() + "config"
			at.create(t, id, []byte(body))
			src := at.source(secrets.AWSOptions{SecretID: id})
			_, err := src.Lookup(ctx, secrets.Ref{Key: "x"})
			require.Error(t, err, body)
			assert.NotErrorIs(t, err, secrets.ErrNotFound, body)
			assert.NotContains(t, err.Error(), "s3cr3t")
			assert.Contains(t, err.Error(), id)
		}
	})

	t.Run("SecretMissing", func(t *testing.T) {
		src := at.source(secrets.AWSOptions{SecretID: uniq() + "absent"})
		_, err := src.Lookup(ctx, secrets.Ref{Key: "port"})
		assert.ErrorIs(t, err, secrets.ErrNotFound)
		res := src.LookupBatch(ctx, []secrets.Ref{{Key: "port"}, {Key: "debug"}})
		for _, r := range res {
			assert.ErrorIs(t, r.Err, secrets.ErrNotFound)
		}
	})
}

func TestAWSErrors(t *testing.T) {
	at := newAWSTest(t)
	ctx := context.Background()
	prefix := uniq()
	at.create(t, prefix+"alpha", []byte("alpha-s3cr3t"))
	cfg := at.cfg.Copy()
	cfg.Retryer = func() aws.Retryer { return aws.NopRetryer{} } // one attempt: the mapping is under test
	src, err := secrets.NewAWS(cfg, secrets.AWSOptions{Prefix: prefix})
	require.NoError(t, err)
	doc, err := secrets.NewAWS(cfg, secrets.AWSOptions{SecretID: prefix + "alpha"})
	require.NoError(t, err)

	for _, tc := range []struct {
		name  string
		fault awsFault
		want  error
	}{
		{"AccessDenied", faultAccessDenied, secrets.ErrPermissionDenied},
		{"DecryptionFailure", faultDecryption, secrets.ErrDecryption},
		{"Throttling", faultThrottling, secrets.ErrThrottled},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, s := range []*secrets.AWS{src, doc} {
				at.proxy.inject("GetSecretValue", tc.fault)
				_, err := s.Lookup(ctx, secrets.Ref{Key: "alpha"})
				require.Error(t, err)
				assert.ErrorIs(t, err, tc.want)
				assert.NotErrorIs(t, err, secrets.ErrNotFound, "never reported as not found")
				var ae smithy.APIError
				require.ErrorAs(t, err, &ae)
				assert.Equal(t, tc.fault.Code, ae.ErrorCode())
				assert.Contains(t, err.Error(), prefix+"alpha")
			}
		})
	}

	t.Run("NotFound", func(t *testing.T) {
		_, err := src.Lookup(ctx, secrets.Ref{Key: "absent"})
		assert.ErrorIs(t, err, secrets.ErrNotFound)
		assert.NotErrorIs(t, err, secrets.ErrPermissionDenied)
		assert.Contains(t, err.Error(), prefix+"absent")
	})
}

func TestAWSThrottlingRetried(t *testing.T) {
	at := newAWSTest(t)
	ctx := context.Background()
	prefix := uniq()
	at.create(t, prefix+"alpha", []byte("alpha-s3cr3t"))
	at.moto.Setenv(t)
	t.Setenv("AWS_ENDPOINT_URL", at.proxy.URL)
	spec := "awssm://?prefix=" + prefix

	t.Run("ConfiguredRetryer", func(t *testing.T) {
		// Three throttled attempts: more than the SDK's default of three
		// attempts allows, within the five this source configures.
		src, err := secrets.Open(ctx, spec)
		require.NoError(t, err)
		at.proxy.reset()
		at.proxy.inject("GetSecretValue", faultThrottling, faultThrottling, faultThrottling)
		v, err := src.Lookup(ctx, secrets.Ref{Key: "alpha"})
		require.NoError(t, err)
		assert.Equal(t, "alpha-s3cr3t", string(v.Data))
		assert.Equal(t, 4, at.proxy.count("GetSecretValue"), "retried by the SDK")
	})

	t.Run("EnvironmentWins", func(t *testing.T) {
		t.Setenv("AWS_MAX_ATTEMPTS", "1")
		src, err := secrets.Open(ctx, spec)
		require.NoError(t, err)
		at.proxy.reset()
		at.proxy.inject("GetSecretValue", faultThrottling)
		_, err = src.Lookup(ctx, secrets.Ref{Key: "alpha"})
		assert.ErrorIs(t, err, secrets.ErrThrottled)
		assert.Equal(t, 1, at.proxy.count("GetSecretValue"))
	})
}

func TestAWSOpen(t *testing.T) {
	at := newAWSTest(t)
	ctx := context.Background()
	prefix := uniq()
	at.create(t, prefix+"db_password", []byte("per-key-s3cr3t"))
	docID := prefix + "config"
	at.createJSON(t, docID, map[string]string{"db_password": "doc-s3cr3t"})
	at.moto.Setenv(t) // AWS_ENDPOINT_URL, dummy credentials, AWS_REGION=us-east-1

	lookup := func(t *testing.T, spec string) (secrets.Source, string, error) {
		t.Helper()
		src, err := secrets.Open(ctx, spec)
		if err != nil {
			return nil, "", err
		}
		v, err := src.Lookup(ctx, secrets.Ref{Key: "db_password"})
		return src, string(v.Data), err
	}

	t.Run("SecretPerKey", func(t *testing.T) {
		src, got, err := lookup(t, "awssm://?prefix="+prefix)
		require.NoError(t, err)
		assert.Equal(t, "per-key-s3cr3t", got)
		assert.Equal(t, "awssm://?region=us-east-1&prefix="+prefix, fmt.Sprint(src))
		_, ok := src.(secrets.Batcher)
		assert.True(t, ok, "Open returns the batching source")
		cl, ok := src.(secrets.ConcurrencyLimiter)
		require.True(t, ok)
		assert.Equal(t, 50, cl.MaxConcurrency())
	})

	t.Run("JSONSecret", func(t *testing.T) {
		src, got, err := lookup(t, "awssm:///"+docID)
		require.NoError(t, err)
		assert.Equal(t, "doc-s3cr3t", got)
		assert.Equal(t, "awssm:///"+docID+"?region=us-east-1", fmt.Sprint(src))

		at.createJSON(t, prefix+"shared", map[string]string{"app_db_password": "prefixed-s3cr3t"})
		src, got, err = lookup(t, "awssm:///"+prefix+"shared?prefix=app_")
		require.NoError(t, err)
		assert.Equal(t, "prefixed-s3cr3t", got, "prefix applies to field names")
		assert.Equal(t, "awssm:///"+prefix+"shared?region=us-east-1&prefix=app_", fmt.Sprint(src))
	})

	t.Run("ServiceSpecificEndpoint", func(t *testing.T) {
		t.Setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1") // nothing listens there
		t.Setenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", at.moto.URL)
		_, got, err := lookup(t, "awssm://?prefix="+prefix)
		require.NoError(t, err)
		assert.Equal(t, "per-key-s3cr3t", got)
	})

	t.Run("Region", func(t *testing.T) {
		eu := secretsmanager.NewFromConfig(aws.Config{
			Region: "eu-west-1", Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
		}, func(o *secretsmanager.Options) { o.BaseEndpoint = aws.String(at.moto.URL) })
		p := uniq()
		_, err := eu.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(p + "db_password"), SecretString: aws.String("eu-s3cr3t")})
		require.NoError(t, err)
		src, got, err := lookup(t, "awssm://?region=eu-west-1&prefix="+p)
		require.NoError(t, err)
		assert.Equal(t, "eu-s3cr3t", got)
		assert.Contains(t, fmt.Sprint(src), "region=eu-west-1")
		_, _, err = lookup(t, "awssm://?prefix="+p) // AWS_REGION=us-east-1
		assert.ErrorIs(t, err, secrets.ErrNotFound)
	})

	t.Run("Profile", func(t *testing.T) {
		dir := t.TempDir()
		cfgFile := filepath.Join(dir, "config")
		credFile := filepath.Join(dir, "credentials")
		require.NoError(t, os.WriteFile(cfgFile, []byte("[profile staging]\nregion = eu-central-1\n"), 0o600))
		require.NoError(t, os.WriteFile(credFile, []byte("[staging]\naws_access_key_id = test\naws_secret_access_key = test\n"), 0o600))
		t.Setenv("AWS_CONFIG_FILE", cfgFile)
		t.Setenv("AWS_SHARED_CREDENTIALS_FILE", credFile)
		t.Setenv("AWS_REGION", "")
		os.Unsetenv("AWS_REGION") // the profile's region applies
		eu := secretsmanager.NewFromConfig(aws.Config{
			Region: "eu-central-1", Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
		}, func(o *secretsmanager.Options) { o.BaseEndpoint = aws.String(at.moto.URL) })
		p := uniq()
		_, err := eu.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(p + "db_password"), SecretString: aws.String("profile-s3cr3t")})
		require.NoError(t, err)
		src, got, err := lookup(t, "awssm://?profile=staging&prefix="+p)
		require.NoError(t, err)
		assert.Equal(t, "profile-s3cr3t", got)
		assert.Contains(t, fmt.Sprint(src), "region=eu-central-1&profile=staging")

		_, err = secrets.Open(ctx, "awssm://?profile=no_such_profile")
		require.Error(t, err)
		assert.Contains(t, err.Error(), "no_such_profile")
	})

	t.Run("NoRegion", func(t *testing.T) {
		t.Setenv("AWS_REGION", "")
		os.Unsetenv("AWS_REGION")
		_, err := secrets.Open(ctx, "awssm://?prefix=x/")
		require.Error(t, err)
		assert.Contains(t, err.Error(), "region")
	})

	t.Run("InvalidSpecs", func(t *testing.T) {
		for _, spec := range []string{
			"awssm://myapp/config",        // a host, not a secret id
			"awssm://?regoin=eu-west-1",   // unknown parameter
			"awssm://?endpoint=http://x/", // endpoints come from AWS_ENDPOINT_URL
			"awssm:///",                   // an empty secret id
		} {
			_, err := secrets.Open(ctx, spec)
			assert.ErrorIs(t, err, secrets.ErrInvalidSpec, spec)
		}
	})
}
