package estimate

import (
	"context"
	"os"

	"github.com/DefangLabs/pulumi-defang/provider"
	"github.com/DefangLabs/pulumi-defang/provider/compose"
	"github.com/DefangLabs/pulumi-defang/provider/plan"
)

// placeholder is the value every config name is planned with by Invoke:
// an estimate needs no secret, and the value never reaches a price. It
// passes the checks a real value must pass (Azure PostgreSQL wants 8 or
// more characters from three of: uppercase, lowercase, digits, symbols).
const placeholder = "Estimate-Placeholder-Value-1"

// Invoke implements defang:index:estimate (provider.Estimator): it plans
// the compose app with plan.Run, exactly as defang-plan does, and prices
// the planned resources. The plugin serves it with
// provider.New(provider.WithEstimator(estimate.Invoke)).
func Invoke(ctx context.Context, args provider.EstimateArgs) (provider.EstimateResult, error) {
	cloud, m, err := provider.Settings(ctx, provider.ProjectArgs{Cloud: args.Cloud, Mode: args.Mode})
	if err != nil {
		return provider.EstimateResult{}, err
	}
	region := args.Region
	if region == "" {
		region = DefaultRegion(cloud)
	}
	if err := CheckRegion(cloud, region); err != nil {
		return provider.EstimateResult{}, err
	}
	opts := plan.Options{ComposeFiles: args.ComposeFiles, ComposeYAML: args.ComposeYaml, ProjectName: args.ProjectName,
		Profiles: args.Profiles, Variables: args.Variables, Cloud: cloud, Mode: string(m), Region: region}
	if opts.Config, err = placeholders(ctx, opts); err != nil {
		return provider.EstimateResult{}, err
	}
	res, err := plan.Run(ctx, opts)
	if err != nil {
		return provider.EstimateResult{}, err
	}
	est, err := ForPlan(res, region)
	if err != nil {
		return provider.EstimateResult{}, err
	}
	return est.Result(), nil
}

// placeholders returns a placeholder value for every config name the
// compose app reads.
func placeholders(ctx context.Context, opts plan.Options) (map[string]string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	p, _, err := compose.Load(ctx, compose.LoadOptions{ComposeFiles: opts.ComposeFiles, ComposeYAML: opts.ComposeYAML,
		WorkingDir: wd, ProjectName: opts.ProjectName, Profiles: opts.Profiles, Variables: opts.Variables})
	if err != nil {
		return nil, err
	}
	cfg := map[string]string{}
	for _, n := range p.ConfigNames {
		cfg[n] = placeholder
	}
	return cfg, nil
}

// Result converts an Estimate into the function's output type.
func (e Estimate) Result() provider.EstimateResult {
	out := provider.EstimateResult{Cloud: e.Cloud, Region: e.Region, Mode: e.Mode, Currency: e.Currency,
		PricesAsOf: e.PricesAsOf, MonthlyUsd: e.MonthlyUsd, Assumptions: append([]string{}, e.Assumptions...),
		LineItems: make([]provider.EstimateLineItem, len(e.LineItems))}
	for i, it := range e.LineItems {
		out.LineItems[i] = provider.EstimateLineItem{Service: it.Service, Resource: it.Resource, Description: it.Description,
			Quantity: it.Quantity, Unit: it.Unit, UnitPriceUsd: it.UnitPrice, MonthlyUsd: it.MonthlyUsd}
	}
	return out
}
