// Package provider is the pulumi-resource-defang provider: the
// defang:index:Project component and the typed child components of each
// cloud, served with pulumi-go-provider's infer package.
package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/blang/semver"
	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/infer"
	"github.com/pulumi/pulumi-go-provider/integration"

	"github.com/DefangLabs/pulumi-defang/provider/aws"
	"github.com/DefangLabs/pulumi-defang/provider/azure"
	"github.com/DefangLabs/pulumi-defang/provider/version"
)

// Name is the Pulumi package name.
const Name = "defang"

// New builds the provider. WithEstimator serves defang:index:estimate
// (estimate_function.go).
func New(opts ...Option) (p.Provider, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	prov, err := infer.NewProviderBuilder().
		WithDisplayName("Defang").
		WithDescription("Deploy a Docker Compose application, production-grade, into your own AWS or Azure account.").
		WithKeywords("docker-compose", "compose", "aws", "azure", "ecs", "fargate", "container-apps", "kind/component", "category/cloud").
		WithHomepage("https://defang.io").
		WithRepository("https://github.com/DefangLabs/pulumi-defang").
		WithPublisher("Defang").
		WithLicense("Apache-2.0").
		WithNamespace("defang-io").
		WithPluginDownloadURL(version.PluginDownloadURL).
		WithGoImportPath("github.com/DefangLabs/pulumi-defang/sdk/go/defang").
		WithLanguageMap(languageMap()).
		WithConfig(infer.Config(&Config{})).
		WithComponents(
			infer.ComponentF(NewProject),
			infer.ComponentF(aws.NewNetwork),
			infer.ComponentF(aws.NewLoadBalancer),
			infer.ComponentF(aws.NewBuildPipeline),
			infer.ComponentF(aws.NewFargateService),
			infer.ComponentF(aws.NewGpuCapacity),
			infer.ComponentF(aws.NewManagedPostgres),
			infer.ComponentF(aws.NewManagedRedis),
			infer.ComponentF(aws.NewManagedMongo),
			infer.ComponentF(aws.NewLlmGateway),
			infer.ComponentF(azure.NewNetwork),
			infer.ComponentF(azure.NewAppsEnvironment),
			infer.ComponentF(azure.NewContainerApp),
			infer.ComponentF(azure.NewManagedPostgres),
			infer.ComponentF(azure.NewManagedRedis),
			infer.ComponentF(azure.NewLlmGateway),
			infer.ComponentF(azure.NewBuildPipeline),
		).
		WithResources(aws.ImageBuildResource, azure.ImageBuildResource).
		WithFunctions(infer.Function(&EstimateFunction{estimator: o.estimator})).
		Build()
	if err != nil {
		return p.Provider{}, err
	}
	prov = ReadableConstructErrors(prov)
	infer := prov.GetSchema
	prov.GetSchema = func(ctx context.Context, req p.GetSchemaRequest) (p.GetSchemaResponse, error) {
		resp, err := infer(ctx, req)
		if err != nil {
			return resp, err
		}
		resp.Schema, err = configValuesAreInputs(resp.Schema)
		return resp, err
	}
	return prov, nil
}

// configValuesAreInputs marks the values of the config maps (Project.config,
// azure AppsEnvironment.config) as inputs in the schema. The Go fields are
// pulumi.StringMapInput, because the SDKs send a whole (secret) map as one
// Output, which only an Input field can receive; infer describes such a
// map's values as plain strings, which would stop a TypeScript or Python
// user from writing { KEY: cfg.requireSecret("KEY") }.
func configValuesAreInputs(schema string) (string, error) {
	var spec map[string]any
	if err := json.Unmarshal([]byte(schema), &spec); err != nil {
		return "", err
	}
	for _, token := range []string{"defang:index:Project", "defang:azure:AppsEnvironment"} {
		path := []string{"resources", token, "inputProperties", "config", "additionalProperties"}
		node := spec
		for _, key := range path {
			next, ok := node[key].(map[string]any)
			if !ok {
				return "", fmt.Errorf("schema has no %s", strings.Join(path, "."))
			}
			node = next
		}
		delete(node, "plain")
	}
	b, err := json.Marshal(spec)
	return string(b), err
}

// languageMap names the generated SDK packages (see sdk/).
func languageMap() map[string]any {
	return map[string]any{
		"nodejs": map[string]any{
			"packageName":          "@defang-io/pulumi-defang",
			"respectSchemaVersion": true,
		},
		"python": map[string]any{
			"packageName":          "pulumi_defang",
			"respectSchemaVersion": true,
			"pyproject":            map[string]any{"enabled": true},
		},
		"go": map[string]any{
			"importBasePath":                 "github.com/DefangLabs/pulumi-defang/sdk/go/defang",
			"generateResourceContainerTypes": true,
			"respectSchemaVersion":           true,
		},
		"csharp": map[string]any{
			"rootNamespace":        "DefangLabs",
			"respectSchemaVersion": true,
			"packageReferences":    map[string]any{"Pulumi": "3.*"},
		},
	}
}

// Schema returns the package schema JSON as the engine would get it from
// GetSchema. version is stamped into it when not empty.
func Schema(ctx context.Context, version string) (string, error) {
	prov, err := New()
	if err != nil {
		return "", err
	}
	server, err := integration.NewServer(ctx, Name, semver.MustParse("1.0.0"), integration.WithProvider(prov))
	if err != nil {
		return "", err
	}
	resp, err := server.GetSchema(p.GetSchemaRequest{})
	if err != nil {
		return "", err
	}
	if version == "" {
		return resp.Schema, nil
	}
	var spec map[string]any
	if err := json.Unmarshal([]byte(resp.Schema), &spec); err != nil {
		return "", err
	}
	spec["version"] = version
	b, err := json.Marshal(spec)
	return string(b), err
}
