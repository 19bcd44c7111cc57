package aws

import (
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/appautoscaling"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ecs"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// serviceAutoscaling scales an ECS service's task count between its
// replicas and the mode's maximum (settings.go), tracking the mode's
// average CPU target. Application Auto Scaling uses its ECS service-linked
// role, so no role is created.
func serviceAutoscaling(ctx *pulumi.Context, name string, service *ecs.Service, s modeSettings, replicas int, parent pulumi.ResourceOption) error {
	least, most := s.taskCountRange(replicas, true)
	// service/<cluster name>/<service name>, from the service's own outputs
	// so that the target is registered after the service exists.
	resourceID := pulumi.All(service.Cluster, service.Name).ApplyT(func(v []any) string {
		return "service/" + clusterNameOf(v[0].(string)) + "/" + v[1].(string)
	}).(pulumi.StringOutput)
	target, err := appautoscaling.NewTarget(ctx, name, &appautoscaling.TargetArgs{
		ServiceNamespace:  pulumi.String("ecs"),
		ScalableDimension: pulumi.String("ecs:service:DesiredCount"),
		ResourceId:        resourceID,
		MinCapacity:       pulumi.Int(least),
		MaxCapacity:       pulumi.Int(most),
	}, parent)
	if err != nil {
		return err
	}
	names, err := newNamer(ctx)
	if err != nil {
		return err
	}
	_, err = appautoscaling.NewPolicy(ctx, name+"-cpu", &appautoscaling.PolicyArgs{
		Name:              names.input(specScalingPolicy, name+"-cpu", name+"-cpu"),
		PolicyType:        pulumi.String("TargetTrackingScaling"),
		ServiceNamespace:  target.ServiceNamespace,
		ScalableDimension: target.ScalableDimension,
		ResourceId:        target.ResourceId,
		TargetTrackingScalingPolicyConfiguration: &appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationArgs{
			PredefinedMetricSpecification: &appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecificationArgs{
				PredefinedMetricType: pulumi.String("ECSServiceAverageCPUUtilization"),
			},
			TargetValue:      pulumi.Float64(s.AutoscalingCPUTarget),
			ScaleOutCooldown: pulumi.Int(autoscalingScaleOutCooldown),
			ScaleInCooldown:  pulumi.Int(autoscalingScaleInCooldown),
		},
	}, parent)
	return err
}

// clusterNameOf is the name of an ECS cluster given by ARN
// (arn:aws:ecs:region:account:cluster/NAME) or by name.
func clusterNameOf(cluster string) string {
	if i := strings.LastIndex(cluster, "/"); i >= 0 {
		return cluster[i+1:]
	}
	if strings.HasPrefix(cluster, "arn:") {
		return cluster[strings.LastIndex(cluster, ":")+1:]
	}
	return cluster
}
