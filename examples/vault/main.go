// Command vault loads a typed configuration from HashiCorp Vault, logging in
// with AppRole, and prints it, secrets redacted.
//
// Against a dev server (the setup of the README's Vault section):
//
//	vault server -dev -dev-root-token-id=root &
//	export VAULT_ADDR=http://127.0.0.1:8200 VAULT_TOKEN=root
//
//	vault kv put secret/myapp database_url=postgres://db.internal/app stripe_api_key=sk_test_123 port=8080
//	vault kv put secret/myapp/db username=app password=s3cr3t
//
//	vault auth enable approle
//	vault policy write myapp - <<'EOF'
//	path "secret/data/myapp"   { capabilities = ["read"] }
//	path "secret/data/myapp/*" { capabilities = ["read"] }
//	EOF
//	vault write auth/approle/role/myapp token_policies=myapp token_ttl=20m token_max_ttl=1h
//
//	export VAULT_ROLE_ID=$(vault read -field=role_id auth/approle/role/myapp/role-id)
//	export VAULT_SECRET_ID=$(vault write -f -field=secret_id auth/approle/role/myapp/secret-id)
//	unset VAULT_TOKEN
//
//	SECRETS_SOURCE='vault:///secret/myapp?auth=approle' go run ./examples/vault
//
// Keys without '/' (database_url, port) are fields of secret/myapp; the key
// secret/myapp/db is a full path, and #username picks a field of it. Both
// are on the KV v2 mount "secret/", read at secret/data/... as the vault CLI
// does. The AppRole token is renewed in the background and replaced by a
// new login at its max TTL.
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
	DBUser      string         `secret:"secret/myapp/db#username"`
	DBPass      secrets.String `secret:"secret/myapp/db#password"`
}

func main() {
	if os.Getenv(secrets.EnvSpec) == "" {
		log.Fatalf("set %s, e.g. %s='vault:///secret/myapp?auth=approle'", secrets.EnvSpec, secrets.EnvSpec)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var cfg Config
	if err := secrets.Load(ctx, &cfg); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%+v\n", cfg)
}
