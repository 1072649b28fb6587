// Command aws loads a small configuration from AWS Secrets Manager.
//
// The source comes from SECRETS_SOURCE; credentials, region and endpoint
// from the AWS SDK's default chain. Against the real service:
//
//	SECRETS_SOURCE='awssm://?region=eu-west-1&prefix=myapp/' go run ./examples/aws
//
// reads the secrets myapp/database_url, myapp/stripe_api_key, and so on.
// To try it locally against moto_server:
//
//	moto_server -H 127.0.0.1 -p 5000 &
//	export AWS_ENDPOINT_URL=http://127.0.0.1:5000 AWS_REGION=us-east-1 \
//	       AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
//	aws secretsmanager create-secret --name myapp/database_url --secret-string postgres://db/app
//	aws secretsmanager create-secret --name myapp/stripe_api_key --secret-string sk_test_123
//	aws secretsmanager create-secret --name myapp/db --secret-string '{"username":"app","password":"pw"}'
//	SECRETS_SOURCE='awssm://?prefix=myapp/' go run ./examples/aws
//
// or keep every key in one JSON secret:
//
//	aws secretsmanager create-secret --name myapp/config \
//	    --secret-string '{"database_url":"postgres://db/app","stripe_api_key":"sk_test_123","port":9090}'
//	SECRETS_SOURCE='awssm:///myapp/config' go run ./examples/aws
//
// Secrets print as [REDACTED].
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"time"

	"github.com/fathom-dev/secrets"
)

// Config is what the service needs.
type Config struct {
	DatabaseURL string         `secret:"database_url"`
	StripeKey   secrets.String `secret:"stripe_api_key"`
	Port        int            `secret:"port,default=8080"`
	DBUser      string         `secret:"db#username,optional"`
	DBPass      secrets.String `secret:"db#password,optional"`
}

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := run(ctx, os.Stdout); err != nil {
		log.Print(err)
		os.Exit(1)
	}
}

// run loads the configuration from SECRETS_SOURCE and prints it.
func run(ctx context.Context, w io.Writer) error {
	var cfg Config
	if err := secrets.Load(ctx, &cfg); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "%+v\n", cfg)
	return err
}
