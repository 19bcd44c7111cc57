// Command aws-go is a Pulumi program that deploys compose.yaml (next to it)
// to AWS with defang.NewProject. It builds against the Go SDK in this
// repository (it is a package of the root module).
package main

import (
	"github.com/DefangLabs/pulumi-defang/sdk/go/defang"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		cfg := config.New(ctx, "")
		mode := cfg.Get("mode")
		if mode == "" {
			mode = "affordable"
		}

		// compose.yaml next to this program is found by default, like `docker compose`.
		app, err := defang.NewProject(ctx, "shop", &defang.ProjectArgs{
			Cloud: pulumi.StringRef("aws"),
			Mode:  pulumi.StringRef(mode),
			Config: pulumi.StringMap{
				"SESSION_SECRET": cfg.RequireSecret("SESSION_SECRET"),
				"DB_PASSWORD":    cfg.RequireSecret("DB_PASSWORD"),
			},
		})
		if err != nil {
			return err
		}

		ctx.Export("endpoints", app.Endpoints)
		ctx.Export("services", app.Services)
		ctx.Export("vpcId", app.VpcId)
		return nil
	})
}
