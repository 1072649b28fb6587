//go:build !secrets_noaws

package secrets

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"golang.org/x/sync/singleflight"
)

const (
	awsScheme = "awssm"
	awsSyntax = "awssm://?region=R&prefix=P or awssm:///SECRET-ID"

	// awsMaxConcurrency is what [AWS.MaxConcurrency] reports. Secrets
	// Manager allows 10,000 GetSecretValue and DescribeSecret calls per
	// second per region and account; 50 calls in flight stay below that
	// even at a 5 ms round trip, and leave room for other processes of the
	// same account.
	awsMaxConcurrency = 50

	// awsBatchSize is the most secret ids one BatchGetSecretValue call
	// takes.
	awsBatchSize = 20

	// awsBatchConcurrency bounds the BatchGetSecretValue calls in flight in
	// one LookupBatch: their quota is 100 per second per region, and one
	// call already fetches 20 secrets.
	awsBatchConcurrency = 2

	// awsMaxAttempts is the SDK retryer's attempt count when neither
	// AWS_MAX_ATTEMPTS nor the shared config sets one (the SDK's default
	// is 3): throttling is retried with the SDK's jittered backoff.
	awsMaxAttempts = 5
)

func init() {
	registerScheme(awsScheme, awsSyntax, []string{"region", "profile", "prefix"}, openAWS)
}

// openAWS builds an AWS source from awssm://?region=R&profile=P&prefix=X or
// awssm:///SECRET-ID?....
func openAWS(ctx context.Context, u *url.URL) (Source, error) {
	if u.Host != "" {
		return nil, fmt.Errorf("secrets: %w: awssm://%s%s names a host; a secret id goes after three slashes (awssm:///%s%s), a region in ?region=",
			ErrInvalidSpec, u.Host, u.Path, u.Host, u.Path)
	}
	if u.Path == "/" {
		return nil, fmt.Errorf("secrets: %w: awssm:/// has an empty secret id; use awssm:///SECRET-ID for one JSON secret, or awssm:// (two slashes) for one secret per key", ErrInvalidSpec)
	}
	q := u.Query()
	id := strings.TrimPrefix(u.Path, "/")
	region, profile := q.Get("region"), q.Get("profile")
	cfg, err := loadAWSConfig(ctx, region, profile)
	if err != nil {
		return nil, err
	}
	a, err := NewAWS(cfg, AWSOptions{Prefix: q.Get("prefix"), SecretID: id})
	if err != nil {
		return nil, err
	}
	a.profile = profile
	return a, nil
}

// loadAWSConfig resolves the SDK's default configuration chain (environment,
// shared config and credentials files, SSO, web identity, container and
// instance roles, AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_SECRETS_MANAGER),
// with region and profile from the spec taking precedence, and sets up the
// SDK's standard retryer.
func loadAWSConfig(ctx context.Context, region, profile string) (aws.Config, error) {
	var opts []func(*config.LoadOptions) error
	if region != "" {
		opts = append(opts, config.WithRegion(region))
	}
	if profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(profile))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("secrets: awssm: load AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		return aws.Config{}, fmt.Errorf("secrets: awssm: no AWS region: set ?region= in the spec, AWS_REGION, or region in the shared config profile")
	}
	// Retries are the SDK's: the standard mode retries throttling and
	// transient errors with jittered exponential backoff. Settings from
	// AWS_RETRY_MODE / AWS_MAX_ATTEMPTS or the profile win.
	if cfg.Retryer == nil {
		if cfg.RetryMode == "" {
			cfg.RetryMode = aws.RetryModeStandard
		}
		if cfg.RetryMaxAttempts == 0 {
			cfg.RetryMaxAttempts = awsMaxAttempts
		}
	}
	return cfg, nil
}

// AWSOptions configure an [AWS] source made by [NewAWS].
type AWSOptions struct {
	// Prefix is prepended to every key to form a secret name, e.g. "myapp/"
	// reads the key db_password from the secret myapp/db_password. With
	// SecretID set, it is prepended to field names instead.
	Prefix string

	// SecretID, when set, names one secret (by name or ARN) whose value is
	// a JSON object holding every key as a top-level field: the
	// awssm:///myapp/config layout.
	SecretID string

	// ClientOptions are passed to secretsmanager.NewFromConfig, e.g. to add
	// middleware or a custom BaseEndpoint.
	ClientOptions []func(*secretsmanager.Options)
}

// awsAPI is the part of the Secrets Manager client AWS uses.
type awsAPI interface {
	GetSecretValue(context.Context, *secretsmanager.GetSecretValueInput, ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
	BatchGetSecretValue(context.Context, *secretsmanager.BatchGetSecretValueInput, ...func(*secretsmanager.Options)) (*secretsmanager.BatchGetSecretValueOutput, error)
}

// AWS is a [Source] reading AWS Secrets Manager, in one of two layouts:
//
//   - one secret per key (the default): the key db_password is the secret
//     named Prefix+"db_password", its SecretString or SecretBinary the
//     value;
//   - one JSON secret holding every key ([AWSOptions.SecretID]): the key
//     db_password is the top-level field "db_password" of that secret's
//     JSON object. A string field is served as the string, any other field
//     (number, bool, object, array, null) as its JSON text. One fetch
//     serves every key of an [AWS.LookupBatch], and concurrent lookups share
//     one fetch; nothing is cached between calls, so a later lookup sees a
//     rotated secret.
//
// [Ref].Version is a version id (32 to 64 hex digits and dashes, such as
// the UUIDs Secrets Manager assigns) or else a staging label (AWSCURRENT,
// AWSPREVIOUS or a custom label). [Value].Version is the version id served.
//
// AWS is a [Batcher]: LookupBatch fetches unversioned secrets with
// BatchGetSecretValue, 20 per call; and a [ConcurrencyLimiter]. A missing
// secret, version or field is an error wrapping [ErrNotFound]; denied access,
// a failed decryption and throttling (after the SDK's retries) wrap
// [ErrPermissionDenied], [ErrDecryption] and [ErrThrottled], with the SDK's
// smithy.APIError reachable through errors.As.
type AWS struct {
	client   awsAPI
	prefix   string
	secretID string
	region   string
	profile  string // for String; set by Open

	docs        singleflight.Group // JSON layout: one fetch per version in flight
	batchDenied atomic.Bool        // BatchGetSecretValue was denied: use GetSecretValue
}

var (
	_ Source             = (*AWS)(nil)
	_ Batcher            = (*AWS)(nil)
	_ ConcurrencyLimiter = (*AWS)(nil)
)

// NewAWS returns an [AWS] source using a Secrets Manager client built from
// cfg, e.g. from config.LoadDefaultConfig. cfg must name a region.
func NewAWS(cfg aws.Config, opts AWSOptions) (*AWS, error) {
	if cfg.Region == "" {
		return nil, errors.New("secrets: awssm: aws.Config has no region")
	}
	return &AWS{
		client:   secretsmanager.NewFromConfig(cfg, opts.ClientOptions...),
		prefix:   opts.Prefix,
		secretID: opts.SecretID,
		region:   cfg.Region,
	}, nil
}

// Lookup fetches the secret (or JSON field) for ref.Key.
func (a *AWS) Lookup(ctx context.Context, ref Ref) (Value, error) {
	if err := ctx.Err(); err != nil {
		return Value{}, fmt.Errorf("awssm: key %q: %w", ref.Key, err)
	}
	if ref.Key == "" {
		return Value{}, errors.New("awssm: empty key")
	}
	if a.secretID != "" {
		doc, err := a.document(ctx, ref.Version)
		if err != nil {
			return Value{}, err
		}
		return doc.field(a.prefix + ref.Key)
	}
	return a.getSecret(ctx, a.prefix+ref.Key, ref.Version)
}

// getSecret calls GetSecretValue for one secret id.
func (a *AWS) getSecret(ctx context.Context, id, version string) (Value, error) {
	in := &secretsmanager.GetSecretValueInput{SecretId: aws.String(id)}
	if isAWSVersionID(version) {
		in.VersionId = aws.String(version)
	} else if version != "" {
		in.VersionStage = aws.String(version)
	}
	out, err := a.client.GetSecretValue(ctx, in)
	if err != nil {
		return Value{}, awsError(ctx, id, version, err)
	}
	return awsValue(out.SecretString, out.SecretBinary, out.VersionId), nil
}

// awsValue makes a Value of a SecretString or SecretBinary.
func awsValue(s *string, b []byte, versionID *string) Value {
	v := Value{Version: aws.ToString(versionID), Data: []byte{}}
	switch {
	case s != nil:
		v.Data = []byte(*s)
	case b != nil:
		v.Data = bytes.Clone(b)
	}
	return v
}

// isAWSVersionID reports whether v is a version id rather than a staging
// label: Secrets Manager version ids are 32 to 64 characters, and the ids
// it and the SDKs generate are UUIDs, so 32 to 64 hex digits and dashes.
func isAWSVersionID(v string) bool {
	if len(v) < 32 || len(v) > 64 {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' || c == '-') {
			return false
		}
	}
	return true
}

// MaxConcurrency tells the [Loader] how many lookups to keep in flight: 50,
// within Secrets Manager's quota of 10,000 GetSecretValue calls per second.
func (a *AWS) MaxConcurrency() int { return awsMaxConcurrency }

// String names the source as a spec would, without credentials.
func (a *AWS) String() string {
	var b strings.Builder
	b.WriteString("awssm://")
	if a.secretID != "" {
		b.WriteString("/")
		b.WriteString(a.secretID)
	}
	sep := "?"
	add := func(k, v string) {
		if v == "" {
			return
		}
		b.WriteString(sep)
		b.WriteString(k)
		b.WriteString("=")
		// '/' is common in prefixes and needs no escaping in a query.
		b.WriteString(strings.ReplaceAll(url.QueryEscape(v), "%2F", "/"))
		sep = "&"
	}
	add("region", a.region)
	add("profile", a.profile)
	add("prefix", a.prefix)
	return b.String()
}
