package imagebuild

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/DefangLabs/pulumi-defang/provider/version"
)

// Resource is the client side of an ImageBuild custom resource
// (defang:aws:ImageBuild or defang:azure:ImageBuild), which this same plugin
// serves: what a BuildPipeline reads back from it.
type Resource struct {
	pulumi.CustomResourceState
	ImageUri pulumi.StringOutput `pulumi:"imageUri"`
}

// Register registers an ImageBuild of type token from a BuildPipeline.
func Register(ctx *pulumi.Context, token, name string, inputs pulumi.Map, opts ...pulumi.ResourceOption) (*Resource, error) {
	var res Resource
	// The version and download URL the SDKs put on their resources: the
	// ImageBuild then uses the same default defang provider as the Project
	// whatever the program's language, instead of one that changes once the
	// engine learns the plugin's version from the previous deployment.
	opts = append([]pulumi.ResourceOption{pulumi.Version(version.Version), pulumi.PluginDownloadURL(version.PluginDownloadURL)}, opts...)
	if err := ctx.RegisterResource(token, name, inputs, &res, opts...); err != nil {
		return nil, err
	}
	return &res, nil
}
