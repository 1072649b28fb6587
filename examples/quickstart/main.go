//go:build !secrets_nodotenv

// Command quickstart loads a typed configuration with secrets and prints it,
// secrets redacted, with the source each key came from.
//
// It runs with no setup: keys missing from the sources in SECRETS_SOURCE
// (environment variables by default) come from defaults.env, embedded in
// the binary. Try:
//
//	go run ./examples/quickstart
//	PORT=9090 STRIPE_API_KEY=sk_live_x go run ./examples/quickstart
//	SECRETS_SOURCE=file:///run/secrets go run ./examples/quickstart
package main

import (
	"context"
	_ "embed"
	"fmt"
	"io"
	"log"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/fathom-dev/secrets"
)

// Config is the service's configuration: tagged once, loaded from whatever
// SECRETS_SOURCE names.
type Config struct {
	DatabaseURL    string         `secret:"database_url"`
	StripeKey      secrets.String `secret:"stripe_api_key"`
	Port           int            `secret:"port,default=8080"`
	Timeout        time.Duration  `secret:"timeout,default=5s"`
	Debug          bool           `secret:"debug,optional"`
	AllowedOrigins []string       `secret:"allowed_origins"`
	DBUser         string         `secret:"myapp/db#username"`
	DBPass         secrets.String `secret:"myapp/db#password"`
}

//go:embed defaults.env
var defaults string

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, w io.Writer) error {
	src, err := secrets.Open(ctx, os.Getenv(secrets.EnvSpec))
	if err != nil {
		return err
	}
	if c, ok := src.(io.Closer); ok {
		defer c.Close()
	}
	embedded, err := secrets.ParseDotenv("embedded defaults.env", strings.NewReader(defaults), "")
	if err != nil {
		return err
	}

	loader := secrets.Loader{Sources: []secrets.Source{src, embedded}}
	var cfg Config
	origins, err := loader.LoadOrigins(ctx, &cfg)
	if err != nil {
		return err
	}

	fmt.Fprintf(w, "config: %+v\n\n", cfg)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "FIELD\tKEY\tSOURCE")
	for _, o := range origins {
		source := o.Source
		if source == "" {
			source = "(unset, optional)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", o.Field, o.Key, source)
	}
	return tw.Flush()
}
