//go:build !secrets_noaws

package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fathom-dev/secrets/internal/mototest"
)

// TestExampleRunsAgainstMoto runs the example the way its doc comment says,
// for both layouts, against moto_server.
func TestExampleRunsAgainstMoto(t *testing.T) {
	srv := mototest.Start(t)
	srv.Setenv(t)
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	require.NoError(t, err)
	client := secretsmanager.NewFromConfig(cfg)
	for name, value := range map[string]string{
		"myapp/database_url":   "postgres://db/app",
		"myapp/stripe_api_key": "sk_test_123",
		"myapp/db":             `{"username":"app","password":"pw-s3cret"}`,
		"myapp/config":         `{"database_url":"postgres://db/other","stripe_api_key":"sk_test_456","port":9090}`,
	} {
		_, err := client.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(name), SecretString: aws.String(value)})
		require.NoError(t, err)
	}

	tests := []struct {
		spec string
		want []string
	}{
		{"awssm://?prefix=myapp/", []string{"DatabaseURL:postgres://db/app", "StripeKey:[REDACTED]", "Port:8080", "DBUser:app", "DBPass:[REDACTED]"}},
		{"awssm:///myapp/config", []string{"DatabaseURL:postgres://db/other", "Port:9090", "DBUser:"}},
	}
	for _, tc := range tests {
		t.Run(tc.spec, func(t *testing.T) {
			t.Setenv("SECRETS_SOURCE", tc.spec)
			var out bytes.Buffer
			require.NoError(t, run(ctx, &out))
			for _, w := range tc.want {
				assert.Contains(t, out.String(), w)
			}
			assert.NotContains(t, out.String(), "sk_test")
			assert.NotContains(t, out.String(), "pw-s3cret")
		})
	}
}
