// Command gcp loads a typed configuration from Google Cloud Secret Manager
// and prints it, secrets redacted.
//
// It needs a Google Cloud project with the Secret Manager API enabled,
// Application Default Credentials allowed to access its secret versions
// (roles/secretmanager.secretAccessor), and these secrets:
//
//	printf 'postgres://db.internal/app' | gcloud secrets create app_database_url --data-file=-
//	printf 'sk_live_123'                | gcloud secrets create app_stripe_api_key --data-file=-
//	printf '{"username":"app","password":"pw"}' | gcloud secrets create app_myapp_db --data-file=-
//
// Then run it with the project in SECRETS_SOURCE:
//
//	gcloud auth application-default login
//	SECRETS_SOURCE='gcpsm://MY_PROJECT?prefix=app_' go run ./examples/gcp
//
// Add location=REGION to read regional secrets through the regional
// endpoint, e.g. gcpsm://MY_PROJECT?location=europe-west1&prefix=app_.
// The key myapp/db maps to the secret id app_myapp_db: every character other
// than letters, digits, '_' and '-' becomes '_'.
package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/fathom-dev/secrets"
)

// Config is the service's configuration.
type Config struct {
	DatabaseURL string         `secret:"database_url"`
	StripeKey   secrets.String `secret:"stripe_api_key"`
	Port        int            `secret:"port,default=8080"`
	Timeout     time.Duration  `secret:"timeout,default=5s"`
	DBUser      string         `secret:"myapp/db#username"`
	DBPass      secrets.String `secret:"myapp/db#password"`
}

func main() {
	if os.Getenv(secrets.EnvSpec) == "" {
		log.Fatalf("set %s, e.g. %s='gcpsm://MY_PROJECT?prefix=app_'", secrets.EnvSpec, secrets.EnvSpec)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var cfg Config
	if err := secrets.Load(ctx, &cfg); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%+v\n", cfg)
}
