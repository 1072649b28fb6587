package secrets_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/fathom-dev/secrets"
)

func ExampleLoad() {
	type Config struct {
		DatabaseURL string         `secret:"database_url"`
		StripeKey   secrets.String `secret:"stripe_api_key"`
		Port        int            `secret:"port,default=8080"`
		Timeout     time.Duration  `secret:"timeout,default=5s"`
		Debug       bool           `secret:"debug,optional"`
		DBUser      string         `secret:"myapp/db#username"`
		DBPass      secrets.String `secret:"myapp/db#password"`
	}
	src := secrets.Map{
		"database_url":   "postgres://db.internal/app",
		"stripe_api_key": "sk_live_123",
		"myapp/db":       `{"username":"app","password":"hunter2"}`,
	}
	var cfg Config
	if err := secrets.Load(context.Background(), &cfg, src); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%+v\n", cfg)
	fmt.Println(cfg.DBPass.Reveal() == "hunter2")
	// Output:
	// {DatabaseURL:postgres://db.internal/app StripeKey:[REDACTED] Port:8080 Timeout:5s Debug:false DBUser:app DBPass:[REDACTED]}
	// true
}

func ExampleLoad_errors() {
	type Config struct {
		APIKey secrets.String `secret:"api_key"`
		Port   int            `secret:"port"`
	}
	var cfg Config
	err := secrets.Load(context.Background(), &cfg, secrets.Map{"port": "eighty"})
	fmt.Println(err)

	var fe *secrets.FieldError
	if errors.As(err, &fe) {
		fmt.Println("first failing field:", fe.Field)
	}
	fmt.Println(errors.Is(err, secrets.ErrNotFound), errors.Is(err, secrets.ErrParse))
	// Output:
	// secrets: 2 fields failed to load:
	// 	secrets: Config.APIKey (key "api_key" from map): map: key "api_key": secret not found
	// 	secrets: Config.Port (key "port" from map): cannot parse value as int: invalid syntax
	// first failing field: Config.APIKey
	// true true
}

func ExampleMap() {
	src := secrets.Map{"db_password": "hunter2"}
	v, err := src.Lookup(context.Background(), secrets.Ref{Key: "db_password"})
	fmt.Println(string(v.Data), err)
	_, err = src.Lookup(context.Background(), secrets.Ref{Key: "missing"})
	fmt.Println(errors.Is(err, secrets.ErrNotFound))
	// Output:
	// hunter2 <nil>
	// true
}

func ExampleChain() {
	overrides := secrets.Map{"port": "9090"}
	defaults := secrets.Map{"port": "8080", "host": "localhost"}
	src := secrets.Chain(overrides, defaults)

	var cfg struct {
		Host string `secret:"host"`
		Port int    `secret:"port"`
	}
	if err := secrets.Load(context.Background(), &cfg, src); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cfg.Host, cfg.Port)
	// Output: localhost 9090
}

func ExampleOpen() {
	os.Setenv("APP_GREETING", "hello")
	defer os.Unsetenv("APP_GREETING")

	src, err := secrets.Open(context.Background(), "env://?prefix=APP_")
	if err != nil {
		fmt.Println(err)
		return
	}
	v, err := src.Lookup(context.Background(), secrets.Ref{Key: "greeting"})
	fmt.Println(string(v.Data), err)

	_, err = secrets.Open(context.Background(), "env://?prefx=APP_")
	fmt.Println(errors.Is(err, secrets.ErrInvalidSpec))
	// Output:
	// hello <nil>
	// true
}

func ExampleString() {
	s := secrets.NewString("hunter2")
	fmt.Println(s)
	fmt.Printf("%v %s %q %x %#v\n", s, s, s, s, s)
	b, _ := json.Marshal(map[string]any{"password": s})
	fmt.Println(string(b))
	fmt.Println(s.Reveal())
	// Output:
	// [REDACTED]
	// [REDACTED] [REDACTED] "[REDACTED]" [REDACTED] [REDACTED]
	// {"password":"[REDACTED]"}
	// hunter2
}

func ExampleBytes() {
	b := secrets.NewBytes([]byte{0xde, 0xad, 0xbe, 0xef})
	fmt.Printf("%v %x %d\n", b, b, b.Len())
	// Output: [REDACTED] [REDACTED] 4
}

func ExampleString_slog() {
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	}))
	logger.Info("connecting", "password", secrets.NewString("hunter2"))
	// Output: level=INFO msg=connecting password=[REDACTED]
}

func ExampleLoader_LoadOrigins() {
	type Config struct {
		Host string         `secret:"host"`
		Port int            `secret:"port,default=8080"`
		Key  secrets.String `secret:"api_key"`
		Opt  string         `secret:"opt,optional"`
	}
	l := secrets.Loader{Sources: []secrets.Source{
		secrets.Map{"api_key": "k-123"},
		secrets.Map{"host": "db.internal", "api_key": "shadowed"},
	}}
	var cfg Config
	origins, err := l.LoadOrigins(context.Background(), &cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, o := range origins {
		fmt.Printf("%s <- %q from %q\n", o.Field, o.Key, o.Source)
	}
	// Output:
	// Config.Host <- "host" from "map"
	// Config.Port <- "port" from "default"
	// Config.Key <- "api_key" from "map"
	// Config.Opt <- "opt" from ""
}

func ExampleLoader_audit() {
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	}))
	l := secrets.Loader{
		Sources: []secrets.Source{secrets.Map{"db_password": "hunter2"}},
		Logger:  logger,
	}
	var cfg struct {
		DBPassword secrets.String `secret:"db_password"`
		Port       int            `secret:"port,default=5432"`
	}
	_ = l.Load(context.Background(), &cfg)
	// Output:
	// level=INFO msg="secret loaded" field=DBPassword key=db_password source=map version=""
	// level=INFO msg="secret default used" field=Port key=port source=default version=""
}
