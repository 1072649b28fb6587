module github.com/fathom-dev/secrets/bench

go 1.26.0

replace github.com/fathom-dev/secrets => ../

require (
	github.com/caarlos0/env/v11 v11.4.2
	github.com/fathom-dev/secrets v0.0.0-00010101000000-000000000000
	github.com/sethvargo/go-envconfig v1.4.3
	github.com/stretchr/testify v1.12.1
)

require (
	github.com/joho/godotenv v1.5.1 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
	golang.org/x/sync v0.25.0 // indirect
)
