using System.Collections.Generic;
using Pulumi;
// An alias: DefangLabs.Defang has a Config class of its own (provider config).
using Defang = DefangLabs.Defang;

return await Deployment.RunAsync(() =>
{
    var config = new Config();

    // compose.yaml next to this program is found by default, like `docker compose`.
    var app = new Defang.Project("shop", new Defang.ProjectArgs
    {
        Cloud = "aws",
        Mode = config.Get("mode") ?? "affordable",
        Config = new InputMap<string>
        {
            { "SESSION_SECRET", config.RequireSecret("SESSION_SECRET") },
            { "DB_PASSWORD", config.RequireSecret("DB_PASSWORD") },
        },
    });

    return new Dictionary<string, object?>
    {
        ["endpoints"] = app.Endpoints,
        ["services"] = app.Services,
        ["vpcId"] = app.VpcId,
    };
});
