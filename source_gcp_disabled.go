//go:build secrets_nogcp

package secrets

func init() {
	registerDisabled("gcpsm", "gcpsm://PROJECT", "secrets_nogcp")
}
