//go:build secrets_novault

package secrets

func init() {
	registerDisabled("vault", "vault:///MOUNT/PATH", "secrets_novault")
}
