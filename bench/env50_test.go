package bench

import (
	"context"
	"testing"

	"github.com/caarlos0/env/v11"
	"github.com/fathom-dev/secrets"
	"github.com/sethvargo/go-envconfig"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// setEnv50 sets the 50 variables the Env50 structs read, and unsets
// SECRETS_SOURCE so that secrets.Load uses its default, "env".
func setEnv50(tb testing.TB) {
	tb.Helper()
	tb.Setenv(secrets.EnvSpec, "")
	for _, e := range env50 {
		tb.Setenv(e.name, e.value)
	}
}

// BenchmarkEnv50 loads the same 50-field struct of mixed types from the
// same environment with this library, caarlos0/env v11 and
// sethvargo/go-envconfig, side by side. Each library is called the way its
// README shows: secrets.Load with no explicit source (it reads
// SECRETS_SOURCE, default "env"), env.Parse, envconfig.Process.
func BenchmarkEnv50(b *testing.B) {
	setEnv50(b)
	ctx := context.Background()
	b.Run("secrets", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var cfg secretsConfig50
			if err := secrets.Load(ctx, &cfg); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("caarlos0", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var cfg caarlos0Config50
			if err := env.Parse(&cfg); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("envconfig", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var cfg envconfigConfig50
			if err := envconfig.Process(ctx, &cfg); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestEnv50Equivalent checks that the three libraries load the same values
// into their structs, so that BenchmarkEnv50 compares equal work.
func TestEnv50Equivalent(t *testing.T) {
	setEnv50(t)
	ctx := context.Background()
	var s secretsConfig50
	require.NoError(t, secrets.Load(ctx, &s))
	var c caarlos0Config50
	require.NoError(t, env.Parse(&c))
	var e envconfigConfig50
	require.NoError(t, envconfig.Process(ctx, &e))

	// Compare as caarlos0Config50: the redacted fields of s reveal their
	// values only through Reveal().
	fromSecrets := caarlos0Config50{
		AppName: s.AppName, AppEnv: s.AppEnv, Region: s.Region, Zone: s.Zone, Hostname: s.Hostname,
		LogLevel: s.LogLevel, LogFormat: s.LogFormat, DbHost: s.DbHost, DbName: s.DbName, DbUser: s.DbUser,
		CacheHost: s.CacheHost, QueueName: s.QueueName, Bucket: s.Bucket, Tenant: s.Tenant, ServiceId: s.ServiceId,
		Port: s.Port, AdminPort: s.AdminPort, DbPort: s.DbPort, MaxConns: s.MaxConns, Workers: s.Workers,
		Retries: s.Retries, MaxBody: s.MaxBody, Shards: s.Shards,
		Debug: s.Debug, TlsEnabled: s.TlsEnabled, MetricsEnabled: s.MetricsEnabled, TracingEnabled: s.TracingEnabled,
		ReadOnly: s.ReadOnly, FeatureX: s.FeatureX,
		ReadTimeout: s.ReadTimeout, WriteTimeout: s.WriteTimeout, IdleTimeout: s.IdleTimeout,
		ShutdownGrace: s.ShutdownGrace, CacheTtl: s.CacheTtl,
		SampleRate: s.SampleRate, CpuQuota: s.CpuQuota, Ratio: s.Ratio, BackoffFactor: s.BackoffFactor,
		AllowedHosts: s.AllowedHosts, CorsOrigins: s.CorsOrigins, Brokers: s.Brokers, RetryCodes: s.RetryCodes,
		Ports: s.Ports, Limits: s.Limits, PublicURL: s.PublicURL,
		DbPassword: s.DbPassword.Reveal(), ApiKey: s.ApiKey.Reveal(), JwtSecret: s.JwtSecret.Reveal(),
		StripeKey: s.StripeKey.Reveal(), SmtpPassword: s.SmtpPassword.Reveal(),
	}
	assert.Equal(t, c, fromSecrets)
	assert.Equal(t, c, caarlos0Config50(e))
	assert.Equal(t, 5432, s.DbPort)
	assert.Equal(t, map[string]int{"read": 100, "write": 50, "admin": 5}, s.Limits)
	assert.Equal(t, "api.example.com:8443", s.PublicURL.Host)
}
