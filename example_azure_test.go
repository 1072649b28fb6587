//go:build !secrets_noazure

package secrets_test

import (
	"fmt"

	"github.com/fathom-dev/secrets"
)

// Key Vault names allow only letters, digits and '-': '_', '/' and '.' in a
// key become '-', and any other character is refused.
func ExampleAzureName() {
	for _, key := range []string{"db_password", "myapp/db.password", "db password"} {
		name, err := secrets.AzureName("", key)
		if err != nil {
			fmt.Println(key, "->", "error:", err)
			continue
		}
		fmt.Println(key, "->", name)
	}
	// Output:
	// db_password -> db-password
	// myapp/db.password -> myapp-db-password
	// db password -> error: character ' ' is not allowed in a Key Vault secret name (letters, digits and '-'; '_', '/' and '.' map to '-')
}
