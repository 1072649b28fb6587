package bench

// The three Config50 structs have the same shape, field for field; only
// their tags (and the type of redacted fields) differ. TestEnv50Equivalent
// checks that all three libraries load the same values.

import (
	"net/url"
	"time"

	"github.com/fathom-dev/secrets"
)

// env50 holds the 50 environment variables every Env50 benchmark reads:
// the canonical key of this library and the value set.
var env50 = []struct{ key, name, value string }{
	{"app_name", "APP_NAME", "value-of-app-name"},
	{"app_env", "APP_ENV", "value-of-app-env"},
	{"region", "REGION", "value-of-region"},
	{"zone", "ZONE", "value-of-zone"},
	{"hostname", "HOSTNAME", "value-of-hostname"},
	{"log_level", "LOG_LEVEL", "value-of-log-level"},
	{"log_format", "LOG_FORMAT", "value-of-log-format"},
	{"db_host", "DB_HOST", "value-of-db-host"},
	{"db_name", "DB_NAME", "value-of-db-name"},
	{"db_user", "DB_USER", "value-of-db-user"},
	{"cache_host", "CACHE_HOST", "value-of-cache-host"},
	{"queue_name", "QUEUE_NAME", "value-of-queue-name"},
	{"bucket", "BUCKET", "value-of-bucket"},
	{"tenant", "TENANT", "value-of-tenant"},
	{"service_id", "SERVICE_ID", "value-of-service-id"},
	{"port", "PORT", "8080"},
	{"admin_port", "ADMIN_PORT", "9090"},
	{"db_port", "DB_PORT", "5432"},
	{"max_conns", "MAX_CONNS", "100"},
	{"workers", "WORKERS", "8"},
	{"retries", "RETRIES", "5"},
	{"max_body", "MAX_BODY", "1048576"},
	{"shards", "SHARDS", "16"},
	{"debug", "DEBUG", "true"},
	{"tls_enabled", "TLS_ENABLED", "false"},
	{"metrics_enabled", "METRICS_ENABLED", "true"},
	{"tracing_enabled", "TRACING_ENABLED", "1"},
	{"read_only", "READ_ONLY", "false"},
	{"feature_x", "FEATURE_X", "true"},
	{"read_timeout", "READ_TIMEOUT", "5s"},
	{"write_timeout", "WRITE_TIMEOUT", "10s"},
	{"idle_timeout", "IDLE_TIMEOUT", "2m"},
	{"shutdown_grace", "SHUTDOWN_GRACE", "30s"},
	{"cache_ttl", "CACHE_TTL", "1h30m"},
	{"sample_rate", "SAMPLE_RATE", "0.25"},
	{"cpu_quota", "CPU_QUOTA", "1.5"},
	{"ratio", "RATIO", "3.14159"},
	{"backoff_factor", "BACKOFF_FACTOR", "2"},
	{"allowed_hosts", "ALLOWED_HOSTS", "a.example.com,b.example.com,c.example.com"},
	{"cors_origins", "CORS_ORIGINS", "https://x.example,https://y.example"},
	{"brokers", "BROKERS", "kafka1:9092,kafka2:9092,kafka3:9092"},
	{"retry_codes", "RETRY_CODES", "500,502,503,504"},
	{"ports", "PORTS", "80,443"},
	{"limits", "LIMITS", "read:100,write:50,admin:5"},
	{"public_url", "PUBLIC_URL", "https://api.example.com:8443/v1?x=1"},
	{"db_password", "DB_PASSWORD", "s3cr3t-db_password"},
	{"api_key", "API_KEY", "s3cr3t-api_key"},
	{"jwt_secret", "JWT_SECRET", "s3cr3t-jwt_secret"},
	{"stripe_key", "STRIPE_KEY", "s3cr3t-stripe_key"},
	{"smtp_password", "SMTP_PASSWORD", "s3cr3t-smtp_password"},
}

// secretsConfig50 is the struct loaded by this library.
type secretsConfig50 struct {
	AppName        string         `secret:"app_name"`
	AppEnv         string         `secret:"app_env"`
	Region         string         `secret:"region"`
	Zone           string         `secret:"zone"`
	Hostname       string         `secret:"hostname"`
	LogLevel       string         `secret:"log_level"`
	LogFormat      string         `secret:"log_format"`
	DbHost         string         `secret:"db_host"`
	DbName         string         `secret:"db_name"`
	DbUser         string         `secret:"db_user"`
	CacheHost      string         `secret:"cache_host"`
	QueueName      string         `secret:"queue_name"`
	Bucket         string         `secret:"bucket"`
	Tenant         string         `secret:"tenant"`
	ServiceId      string         `secret:"service_id"`
	Port           int            `secret:"port"`
	AdminPort      int            `secret:"admin_port"`
	DbPort         int            `secret:"db_port"`
	MaxConns       int            `secret:"max_conns"`
	Workers        int            `secret:"workers"`
	Retries        int64          `secret:"retries"`
	MaxBody        int64          `secret:"max_body"`
	Shards         uint           `secret:"shards"`
	Debug          bool           `secret:"debug"`
	TlsEnabled     bool           `secret:"tls_enabled"`
	MetricsEnabled bool           `secret:"metrics_enabled"`
	TracingEnabled bool           `secret:"tracing_enabled"`
	ReadOnly       bool           `secret:"read_only"`
	FeatureX       bool           `secret:"feature_x"`
	ReadTimeout    time.Duration  `secret:"read_timeout"`
	WriteTimeout   time.Duration  `secret:"write_timeout"`
	IdleTimeout    time.Duration  `secret:"idle_timeout"`
	ShutdownGrace  time.Duration  `secret:"shutdown_grace"`
	CacheTtl       time.Duration  `secret:"cache_ttl"`
	SampleRate     float64        `secret:"sample_rate"`
	CpuQuota       float64        `secret:"cpu_quota"`
	Ratio          float64        `secret:"ratio"`
	BackoffFactor  float64        `secret:"backoff_factor"`
	AllowedHosts   []string       `secret:"allowed_hosts"`
	CorsOrigins    []string       `secret:"cors_origins"`
	Brokers        []string       `secret:"brokers"`
	RetryCodes     []int          `secret:"retry_codes"`
	Ports          []int          `secret:"ports"`
	Limits         map[string]int `secret:"limits"`
	PublicURL      *url.URL       `secret:"public_url"`
	DbPassword     secrets.String `secret:"db_password"`
	ApiKey         secrets.String `secret:"api_key"`
	JwtSecret      secrets.String `secret:"jwt_secret"`
	StripeKey      secrets.String `secret:"stripe_key"`
	SmtpPassword   secrets.String `secret:"smtp_password"`
}

// caarlos0Config50 is the same struct for caarlos0/env. It has no
// redacting type, so the redacted fields are plain strings.
type caarlos0Config50 struct {
	AppName        string         `env:"APP_NAME"`
	AppEnv         string         `env:"APP_ENV"`
	Region         string         `env:"REGION"`
	Zone           string         `env:"ZONE"`
	Hostname       string         `env:"HOSTNAME"`
	LogLevel       string         `env:"LOG_LEVEL"`
	LogFormat      string         `env:"LOG_FORMAT"`
	DbHost         string         `env:"DB_HOST"`
	DbName         string         `env:"DB_NAME"`
	DbUser         string         `env:"DB_USER"`
	CacheHost      string         `env:"CACHE_HOST"`
	QueueName      string         `env:"QUEUE_NAME"`
	Bucket         string         `env:"BUCKET"`
	Tenant         string         `env:"TENANT"`
	ServiceId      string         `env:"SERVICE_ID"`
	Port           int            `env:"PORT"`
	AdminPort      int            `env:"ADMIN_PORT"`
	DbPort         int            `env:"DB_PORT"`
	MaxConns       int            `env:"MAX_CONNS"`
	Workers        int            `env:"WORKERS"`
	Retries        int64          `env:"RETRIES"`
	MaxBody        int64          `env:"MAX_BODY"`
	Shards         uint           `env:"SHARDS"`
	Debug          bool           `env:"DEBUG"`
	TlsEnabled     bool           `env:"TLS_ENABLED"`
	MetricsEnabled bool           `env:"METRICS_ENABLED"`
	TracingEnabled bool           `env:"TRACING_ENABLED"`
	ReadOnly       bool           `env:"READ_ONLY"`
	FeatureX       bool           `env:"FEATURE_X"`
	ReadTimeout    time.Duration  `env:"READ_TIMEOUT"`
	WriteTimeout   time.Duration  `env:"WRITE_TIMEOUT"`
	IdleTimeout    time.Duration  `env:"IDLE_TIMEOUT"`
	ShutdownGrace  time.Duration  `env:"SHUTDOWN_GRACE"`
	CacheTtl       time.Duration  `env:"CACHE_TTL"`
	SampleRate     float64        `env:"SAMPLE_RATE"`
	CpuQuota       float64        `env:"CPU_QUOTA"`
	Ratio          float64        `env:"RATIO"`
	BackoffFactor  float64        `env:"BACKOFF_FACTOR"`
	AllowedHosts   []string       `env:"ALLOWED_HOSTS"`
	CorsOrigins    []string       `env:"CORS_ORIGINS"`
	Brokers        []string       `env:"BROKERS"`
	RetryCodes     []int          `env:"RETRY_CODES"`
	Ports          []int          `env:"PORTS"`
	Limits         map[string]int `env:"LIMITS"`
	PublicURL      *url.URL       `env:"PUBLIC_URL"`
	DbPassword     string         `env:"DB_PASSWORD"`
	ApiKey         string         `env:"API_KEY"`
	JwtSecret      string         `env:"JWT_SECRET"`
	StripeKey      string         `env:"STRIPE_KEY"`
	SmtpPassword   string         `env:"SMTP_PASSWORD"`
}

// envconfigConfig50 is the same struct for sethvargo/go-envconfig,
// which has no redacting type either.
type envconfigConfig50 struct {
	AppName        string         `env:"APP_NAME"`
	AppEnv         string         `env:"APP_ENV"`
	Region         string         `env:"REGION"`
	Zone           string         `env:"ZONE"`
	Hostname       string         `env:"HOSTNAME"`
	LogLevel       string         `env:"LOG_LEVEL"`
	LogFormat      string         `env:"LOG_FORMAT"`
	DbHost         string         `env:"DB_HOST"`
	DbName         string         `env:"DB_NAME"`
	DbUser         string         `env:"DB_USER"`
	CacheHost      string         `env:"CACHE_HOST"`
	QueueName      string         `env:"QUEUE_NAME"`
	Bucket         string         `env:"BUCKET"`
	Tenant         string         `env:"TENANT"`
	ServiceId      string         `env:"SERVICE_ID"`
	Port           int            `env:"PORT"`
	AdminPort      int            `env:"ADMIN_PORT"`
	DbPort         int            `env:"DB_PORT"`
	MaxConns       int            `env:"MAX_CONNS"`
	Workers        int            `env:"WORKERS"`
	Retries        int64          `env:"RETRIES"`
	MaxBody        int64          `env:"MAX_BODY"`
	Shards         uint           `env:"SHARDS"`
	Debug          bool           `env:"DEBUG"`
	TlsEnabled     bool           `env:"TLS_ENABLED"`
	MetricsEnabled bool           `env:"METRICS_ENABLED"`
	TracingEnabled bool           `env:"TRACING_ENABLED"`
	ReadOnly       bool           `env:"READ_ONLY"`
	FeatureX       bool           `env:"FEATURE_X"`
	ReadTimeout    time.Duration  `env:"READ_TIMEOUT"`
	WriteTimeout   time.Duration  `env:"WRITE_TIMEOUT"`
	IdleTimeout    time.Duration  `env:"IDLE_TIMEOUT"`
	ShutdownGrace  time.Duration  `env:"SHUTDOWN_GRACE"`
	CacheTtl       time.Duration  `env:"CACHE_TTL"`
	SampleRate     float64        `env:"SAMPLE_RATE"`
	CpuQuota       float64        `env:"CPU_QUOTA"`
	Ratio          float64        `env:"RATIO"`
	BackoffFactor  float64        `env:"BACKOFF_FACTOR"`
	AllowedHosts   []string       `env:"ALLOWED_HOSTS"`
	CorsOrigins    []string       `env:"CORS_ORIGINS"`
	Brokers        []string       `env:"BROKERS"`
	RetryCodes     []int          `env:"RETRY_CODES"`
	Ports          []int          `env:"PORTS"`
	Limits         map[string]int `env:"LIMITS"`
	PublicURL      *url.URL       `env:"PUBLIC_URL"`
	DbPassword     string         `env:"DB_PASSWORD"`
	ApiKey         string         `env:"API_KEY"`
	JwtSecret      string         `env:"JWT_SECRET"`
	StripeKey      string         `env:"STRIPE_KEY"`
	SmtpPassword   string         `env:"SMTP_PASSWORD"`
}
