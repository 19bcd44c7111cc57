// Command automation-go deploys compose.yaml to AWS with defang.NewProject
// from a Go program, through the Pulumi Automation API: no Pulumi.yaml, no
// `pulumi` commands to type. The Pulumi CLI must be on PATH; the backend and
// the secrets passphrase come from the environment (PULUMI_BACKEND_URL,
// PULUMI_CONFIG_PASSPHRASE), as for the CLI.
//
//	automation-go [-stack NAME] [-work-dir DIR] [-compose FILE] (preview|up|outputs|destroy)
//
// Engine progress goes to stderr. stdout carries only JSON: the stack outputs
// for `outputs`, and the change summary ({"create":N,"same":M,...}) as the
// last line for `preview`, `up` and `destroy`.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"syscall"

	"github.com/DefangLabs/pulumi-defang/sdk/go/defang"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

// secretNames are the compose app's secrets: read from the environment
// variables of the same name and stored as Pulumi config secrets.
var secretNames = []string{"SESSION_SECRET", "DB_PASSWORD"}

type options struct {
	stack, project, workDir, compose, region, mode string
	showSecrets                                    bool
}

func main() {
	// A flag set of our own: the Pulumi SDK registers glog's flags on the
	// default one, and they do not belong in this program's usage.
	fs := flag.NewFlagSet("automation-go", flag.ExitOnError)
	var o options
	fs.StringVar(&o.stack, "stack", "dev", "stack name")
	fs.StringVar(&o.project, "project", "shop-automation-go", "Pulumi project name")
	fs.StringVar(&o.workDir, "work-dir", "", "workspace directory for Pulumi.yaml and the stack settings (default: <tmp>/pulumi-defang-automation-go/<project>)")
	fs.StringVar(&o.compose, "compose", "", "compose file (default: ./compose.yaml, else the one next to this program's source)")
	fs.StringVar(&o.region, "region", "", "aws:region (default: $AWS_REGION, then us-east-1)")
	fs.StringVar(&o.mode, "mode", "affordable", "affordable, balanced or high_availability")
	fs.BoolVar(&o.showSecrets, "show-secrets", false, "outputs: print secret values instead of \"[secret]\"")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: automation-go [flags] (preview|up|outputs|destroy)")
		fs.PrintDefaults()
	}
	_ = flag.CommandLine.Parse(nil) // glog expects the default set to be parsed
	_ = fs.Parse(os.Args[1:])
	if fs.NArg() != 1 {
		fs.Usage()
		os.Exit(2)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, fs.Arg(0), o); err != nil {
		fmt.Fprintln(os.Stderr, "automation-go:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, command string, o options) error {
	switch command {
	case "preview", "up", "outputs", "destroy":
	default:
		return fmt.Errorf("unknown command %q: want preview, up, outputs or destroy", command)
	}

	secrets := map[string]string{}
	if command == "preview" || command == "up" {
		for _, name := range secretNames {
			v := os.Getenv(name)
			if v == "" {
				return fmt.Errorf("%s is not set: export it before %s (it is stored as a Pulumi config secret)", name, command)
			}
			secrets[name] = v
		}
	}

	// Only preview and up run the program, so only they need the compose file.
	var composeFile string
	if command == "preview" || command == "up" {
		f, err := resolveCompose(o.compose)
		if err != nil {
			return err
		}
		composeFile = f
	}
	if o.workDir == "" {
		o.workDir = filepath.Join(os.TempDir(), "pulumi-defang-automation-go", o.project)
	}
	if err := os.MkdirAll(o.workDir, 0o755); err != nil {
		return err
	}
	if o.region == "" {
		o.region = os.Getenv("AWS_REGION")
	}
	if o.region == "" {
		o.region = "us-east-1"
	}

	// The program the engine runs in-process: the same as examples/aws-go,
	// with the compose file given by absolute path.
	program := func(pctx *pulumi.Context) error {
		cfg := config.New(pctx, "")
		app, err := defang.NewProject(pctx, "shop", &defang.ProjectArgs{
			Cloud:        pulumi.StringRef("aws"),
			Mode:         pulumi.StringRef(o.mode),
			ComposeFiles: pulumi.StringArray{pulumi.String(composeFile)},
			Config: pulumi.StringMap{
				"SESSION_SECRET": cfg.RequireSecret("SESSION_SECRET"),
				"DB_PASSWORD":    cfg.RequireSecret("DB_PASSWORD"),
			},
		})
		if err != nil {
			return err
		}
		pctx.Export("endpoints", app.Endpoints)
		pctx.Export("services", app.Services)
		pctx.Export("vpcId", app.VpcId)
		return nil
	}

	// The Pulumi CLI inherits this process's environment, so
	// PULUMI_BACKEND_URL and PULUMI_CONFIG_PASSPHRASE apply; a new stack gets
	// the backend's default secrets provider (the passphrase on a DIY backend).
	stack, err := auto.UpsertStackInlineSource(ctx, o.stack, o.project, program,
		auto.WorkDir(o.workDir),
		auto.Project(workspace.Project{
			Name:    tokens.PackageName(o.project),
			Runtime: workspace.NewProjectRuntimeInfo("go", nil),
		}),
	)
	if err != nil {
		return fmt.Errorf("stack %s: %w", o.stack, err)
	}

	if command != "outputs" {
		if err := stack.SetConfig(ctx, "aws:region", auto.ConfigValue{Value: o.region}); err != nil {
			return err
		}
	}
	for _, name := range secretNames {
		if v, ok := secrets[name]; ok {
			if err := stack.SetConfig(ctx, name, auto.ConfigValue{Value: v, Secret: true}); err != nil {
				return err
			}
		}
	}

	switch command {
	case "preview":
		res, err := stack.Preview(ctx, optpreview.ProgressStreams(os.Stderr), optpreview.ErrorProgressStreams(os.Stderr))
		if err != nil {
			return err
		}
		return printJSON(res.ChangeSummary)
	case "up":
		res, err := stack.Up(ctx, optup.ProgressStreams(os.Stderr), optup.ErrorProgressStreams(os.Stderr))
		if err != nil {
			return err
		}
		return printJSON(changes(res.Summary))
	case "destroy":
		res, err := stack.Destroy(ctx, optdestroy.ProgressStreams(os.Stderr), optdestroy.ErrorProgressStreams(os.Stderr))
		if err != nil {
			return err
		}
		return printJSON(changes(res.Summary))
	default: // outputs
		outs, err := stack.Outputs(ctx)
		if err != nil {
			return err
		}
		values := map[string]any{}
		for k, v := range outs {
			if v.Secret && !o.showSecrets {
				values[k] = "[secret]"
			} else {
				values[k] = v.Value
			}
		}
		return printJSON(values)
	}
}

// resolveCompose returns the compose file as an absolute path: the one given,
// else ./compose.yaml, else the compose.yaml next to this source file (for
// `go run ./examples/automation-go` from the repository root).
func resolveCompose(given string) (string, error) {
	candidates := []string{given}
	if given == "" {
		candidates = []string{"compose.yaml"}
		if _, src, _, ok := runtime.Caller(0); ok {
			candidates = append(candidates, filepath.Join(filepath.Dir(src), "compose.yaml"))
		}
	}
	for _, c := range candidates {
		abs, err := filepath.Abs(c)
		if err != nil {
			return "", err
		}
		if _, err := os.Stat(abs); err == nil {
			return abs, nil
		} else if given != "" {
			return "", fmt.Errorf("compose file: %w", err)
		}
	}
	return "", errors.New("no compose.yaml in the current directory: pass -compose FILE")
}

// changes is the engine's change count of an update ({"create":N,...}).
func changes(s auto.UpdateSummary) map[string]int {
	if s.ResourceChanges == nil {
		return map[string]int{}
	}
	return *s.ResourceChanges
}

// printJSON writes v as one line of JSON to stdout.
func printJSON(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(os.Stdout, string(b))
	return err
}
