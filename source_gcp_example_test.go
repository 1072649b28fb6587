//go:build !secrets_nogcp

package secrets_test

import (
	"fmt"

	"github.com/fathom-dev/secrets"
)

// Keys map to Secret Manager secret ids: the prefix is prepended and every
// character outside [A-Za-z0-9_-] becomes '_'.
func ExampleGCPSecretID() {
	fmt.Println(secrets.GCPSecretID("", "db_password"))
	fmt.Println(secrets.GCPSecretID("", "myapp/db.password"))
	fmt.Println(secrets.GCPSecretID("app_", "Stripe-Key"))
	// Output:
	// db_password
	// myapp_db_password
	// app_Stripe-Key
}
