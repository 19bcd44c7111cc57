// Package version holds the package version and the plugin's download
// location, shared by the provider and the resources its components
// register on its own behalf (so that they resolve to the same default
// provider as the resources the SDKs register).
package version

// Version is stamped at build time with
// -ldflags "-X github.com/DefangLabs/pulumi-defang/provider/version.Version=...".
var Version = "0.1.0-dev"

// PluginDownloadURL is where `pulumi plugin install` and the SDKs fetch the
// plugin: the GitHub releases of this repository, whose assets .goreleaser.yml
// names pulumi-resource-defang-v{version}-{os}-{arch}.tar.gz as Pulumi expects.
const PluginDownloadURL = "github://api.github.com/DefangLabs/pulumi-defang"
