// Command azure loads a typed configuration from Azure Key Vault and prints
// it, secrets redacted.
//
// It needs a real vault and an identity that may read its secrets (the
// "Key Vault Secrets User" role, or an access policy with secret "get").
// Credentials come from DefaultAzureCredential: environment variables
// (AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET), workload
// identity, managed identity or `az login`. Create the secrets and run:
//
//	az login
//	az keyvault secret set --vault-name my-vault --name myapp-database-url --value 'postgres://db.internal/app'
//	az keyvault secret set --vault-name my-vault --name myapp-stripe-api-key --value 'sk_live_example'
//	az keyvault secret set --vault-name my-vault --name myapp-db --value '{"username":"app","password":"example"}'
//	SECRETS_SOURCE='azurekv://my-vault?prefix=myapp/' go run ./examples/azure
//
// Keys map to Key Vault names with '_', '/' and '.' turned into '-', after
// the prefix: stripe_api_key is the secret myapp-stripe-api-key. A chain
// such as SECRETS_SOURCE='env,azurekv://my-vault?prefix=myapp/' lets
// environment variables override the vault, e.g. PORT=9090.
package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"os/signal"
	"time"

	"github.com/fathom-dev/secrets"
)

// Config is the service's configuration.
type Config struct {
	DatabaseURL string         `secret:"database_url"`
	StripeKey   secrets.String `secret:"stripe_api_key"`
	Port        int            `secret:"port,default=8080"`
	Timeout     time.Duration  `secret:"timeout,default=5s"`
	DBUser      string         `secret:"db#username"`
	DBPass      secrets.String `secret:"db#password"`
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()

	if os.Getenv(secrets.EnvSpec) == "" {
		log.Fatalf("set %s, e.g. %s='azurekv://my-vault?prefix=myapp/'", secrets.EnvSpec, secrets.EnvSpec)
	}
	var cfg Config
	if err := secrets.Load(ctx, &cfg); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%+v\n", cfg)
}
