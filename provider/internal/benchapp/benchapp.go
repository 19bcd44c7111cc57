// Package benchapp generates compose applications of a given size for the
// planning benchmarks (provider/plan's Go benchmarks and the defang-bench
// command): a deterministic mix of services built from source (each with
// its own build context) and image-only ones, public (ingress), private and
// worker services, config secrets, and managed Postgres and Redis stores.
package benchapp

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Options shape a generated app.
type Options struct {
	// Services is the number of compose services, stores included.
	Services int
	// Stores makes two of every 25 services managed stores: a Postgres
	// (x-defang-postgres) and a Redis (x-defang-redis), which the service
	// before them uses.
	Stores bool
}

// Kinds of generated service, by index i (0-based):
//
//	i%25 == 2, 3 (with Stores) managed Postgres, managed Redis
//	i%10 == 0                 ingress (published port 10000+i, HTTP healthcheck)
//	i%10 in 1..6              private (port 8080, reachable by the project's services)
//	i%10 in 7..9              worker (no ports)
//
// and every 4th service (i%4 == 0) is built from a context of its own,
// the others run an image. Service 0 is always a built ingress service.

// Write writes compose.yaml (and the build contexts) into dir and returns
// the compose file's path and the config values it needs.
func Write(dir string, o Options) (string, map[string]string, error) {
	if o.Services < 1 {
		return "", nil, fmt.Errorf("benchapp: at least one service, got %d", o.Services)
	}
	var b strings.Builder
	config := map[string]string{}
	fmt.Fprintf(&b, "name: bench%d\nservices:\n", o.Services)
	for i := 0; i < o.Services; i++ {
		name := fmt.Sprintf("svc%03d", i)
		if o.Stores && (i%25 == 2 || i%25 == 3) {
			writeStore(&b, name, i%25 == 2, config)
			continue
		}
		fmt.Fprintf(&b, "  %s:\n", name)
		if i%4 == 0 {
			ctx := filepath.Join(dir, name)
			if err := writeContext(ctx, name); err != nil {
				return "", nil, err
			}
			fmt.Fprintf(&b, "    build: ./%s\n", name)
		} else {
			fmt.Fprintf(&b, "    image: %s\n", []string{"nginx:1.27", "hashicorp/http-echo:1.0", "busybox:1.36"}[i%3])
		}
		switch k := i % 10; {
		case k == 0:
			fmt.Fprintf(&b, "    ports:\n      - target: 8080\n        published: %d\n        mode: ingress\n", 10000+i)
			b.WriteString("    healthcheck:\n      test: [\"CMD\", \"wget\", \"-q\", \"-O-\", \"http://localhost:8080/health\"]\n")
		case k <= 6:
			b.WriteString("    ports:\n      - target: 8080\n        mode: host\n")
		}
		b.WriteString("    environment:\n")
		fmt.Fprintf(&b, "      NEXT_URL: http://svc%03d:8080\n", (i+1)%o.Services)
		if i%5 == 0 {
			secret := fmt.Sprintf("SECRET_%03d", i)
			fmt.Fprintf(&b, "      %s:\n", secret)
			config[secret] = "bench-secret-value-" + strings.ToLower(secret)
		}
		if o.Stores && i%25 == 1 && i+1 < o.Services {
			fmt.Fprintf(&b, "      DATABASE_URL: postgres://bench:${DB_PASSWORD}@svc%03d:5432/bench\n", i+1)
			config["DB_PASSWORD"] = "bench-db-password"
		}
		if o.Stores && i%25 == 1 && i+2 < o.Services {
			fmt.Fprintf(&b, "      REDIS_URL: redis://svc%03d:6379/0\n", i+2)
		}
		b.WriteString("    deploy:\n      resources:\n        reservations:\n          cpus: \"0.25\"\n          memory: 512M\n")
	}
	file := filepath.Join(dir, "compose.yaml")
	return file, config, os.WriteFile(file, []byte(b.String()), 0o644)
}

// writeStore writes a managed Postgres or Redis.
func writeStore(b *strings.Builder, name string, postgres bool, config map[string]string) {
	fmt.Fprintf(b, "  %s:\n", name)
	if postgres {
		b.WriteString("    image: postgres:16\n    x-defang-postgres: true\n")
		b.WriteString("    environment:\n      POSTGRES_USER: bench\n      POSTGRES_DB: bench\n      POSTGRES_PASSWORD: ${DB_PASSWORD}\n")
		b.WriteString("    ports:\n      - target: 5432\n        mode: host\n")
		config["DB_PASSWORD"] = "bench-db-password"
		return
	}
	b.WriteString("    image: redis:7\n    x-defang-redis: true\n    ports:\n      - target: 6379\n        mode: host\n")
}

// writeContext writes a small build context.
func writeContext(dir, name string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	files := map[string]string{
		"Dockerfile": "FROM python:3.12-alpine\nCOPY app.py /app/app.py\nCMD [\"python\", \"/app/app.py\"]\n",
		"app.py":     fmt.Sprintf("print(%q)\n", "hello from "+name),
	}
	for f, text := range files {
		if err := os.WriteFile(filepath.Join(dir, f), []byte(text), 0o644); err != nil {
			return err
		}
	}
	return nil
}
