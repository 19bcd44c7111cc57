#!/usr/bin/env python3
"""Generate provider/cloudrules/zz_azure_native.go from @pulumi/azure-native.

The azure-native Go submodules of a few services (cache, redisenterprise,
cognitiveservices, ...) cannot be had here, so provider/azure registers those
resources and functions by their type token with input maps of its own. This
script reads the published npm SDK of the same version (its .d.ts files carry
every module, API version and input property) and writes, for each token we
use, the API version and the input property names at every level our maps
set, so that a Go test (provider/azure/native_args_test.go) fails on a token
or property name the real SDK does not have.

Usage: gen_azure_native.py PACKAGE.tgz OUTPUT.go
(make cloud-rules-azure fetches the package with `npm pack` first).
"""

import re
import sys
import tarfile

VERSION = "2.92.0"

# The tokens provider/azure registers or invokes by token (grep provider/azure
# for RegisterResource, nativeInvoke and "azure-native:").
TOKENS = [
    "azure-native:authorization:RoleAssignment",
    "azure-native:cache/v20250401:Database",
    "azure-native:cache/v20250401:RedisEnterprise",
    "azure-native:cache/v20250401:listDatabaseKeys",
    "azure-native:cognitiveservices:Account",
    "azure-native:cognitiveservices:Deployment",
    "azure-native:cognitiveservices:listAccountKeys",
    "azure-native:insights:DiagnosticSetting",
]

# How deep nested input types are followed (properties.model.format is 3).
MAX_DEPTH = 4

NAMESPACE = re.compile(r"^(\s*)(?:export declare )?namespace (\w+) \{$")
INTERFACE = re.compile(r"^(\s*)(?:export )?interface (\w+) \{$")
PROPERTY = re.compile(r"^(\s*)(\w+)\??: (.*)$")
CLOSE = re.compile(r"^(\s*)\}$")
INPUT_REF = re.compile(r"inputs\.([\w.]+)\.(\w+)")
# "Uses Azure REST API version 2023-05-01." in a resource's or function's doc
# comment (default-version modules; versioned ones name it in the module).
API_VERSION = re.compile(r"Uses Azure REST API version (\d{4}-\d{2}-\d{2}(?:-preview)?)")


def parse_interfaces(lines, wanted_namespaces=None):
    """Interfaces by qualified name ("cognitiveservices.SkuArgs"), each a
    list of (property, type expression) in declaration order."""
    out = {}
    stack = []  # (indent, name) of open namespaces
    iface = None  # (indent, qualified name)
    skip_to = None  # indent of a multi-line property type being skipped
    for line in lines:
        line = line.rstrip("\n")
        if iface is not None:
            indent, qname = iface
            if skip_to is not None:
                m = CLOSE.match(line) or re.match(r"^(\s*)\}.*;$", line)
                if m and len(m.group(1)) == skip_to:
                    skip_to = None
                continue
            m = CLOSE.match(line)
            if m and len(m.group(1)) == indent:
                iface = None
                continue
            m = PROPERTY.match(line)
            if m and len(m.group(1)) == indent + 4:
                typ = m.group(3)
                out[qname].append((m.group(2), typ))
                if typ.count("{") > typ.count("}"):
                    skip_to = indent + 4
            continue
        m = NAMESPACE.match(line)
        if m:
            stack.append((len(m.group(1)), m.group(2)))
            continue
        m = INTERFACE.match(line)
        if m:
            ns = ".".join(n for _, n in stack)
            if wanted_namespaces is None or ns.split(".")[0] in wanted_namespaces:
                qname = (ns + "." if ns else "") + m.group(2)
                out[qname] = []
                iface = (len(m.group(1)), qname)
            else:
                iface = (len(m.group(1)), None)
                out.setdefault(None, [])
            continue
        m = CLOSE.match(line)
        if m and stack and len(m.group(1)) == stack[-1][0]:
            stack.pop()
    out.pop(None, None)
    return out


def split_token(token):
    _, module, name = token.split(":")
    return module, name


def main(tgz, output):
    modules = {split_token(t)[0] for t in TOKENS}
    top = {m.split("/")[0] for m in modules}
    files = {}
    for t in TOKENS:
        module, name = split_token(t)
        files[t] = "package/%s/%s.d.ts" % (module, name[0].lower() + name[1:])
    with tarfile.open(tgz) as tar:
        pkg = tar.extractfile("package/package.json").read().decode()
        version = re.search(r'"version":\s*"([^"]+)"', pkg).group(1)
        if version != VERSION:
            sys.exit("expected @pulumi/azure-native %s, got %s" % (VERSION, version))
        sources = {t: tar.extractfile(f).read().decode() for t, f in files.items()}
        inputs = tar.extractfile("package/types/input.d.ts").read().decode().splitlines()
    types = parse_interfaces(inputs, top)

    table = {}
    for t in TOKENS:
        module, name = split_token(t)
        src = sources[t]
        args = parse_interfaces(src.splitlines())
        key = name[0].upper() + name[1:] + "Args"
        if key not in args:
            sys.exit("%s: no interface %s in %s" % (t, key, files[t]))
        paths = {}

        def walk(path, props, depth):
            paths[path] = sorted(p for p, _ in props)
            if depth >= MAX_DEPTH:
                return
            for prop, typ in props:
                m = INPUT_REF.search(typ)
                ref = m and m.group(1) + "." + m.group(2)
                if not ref or ref not in types:
                    continue
                sub = prop + ("[]" if ">[]>" in typ or typ.rstrip(";").endswith("[]>") else "")
                walk(sub if not path else path + "." + sub, types[ref], depth + 1)

        walk("", args[key], 0)
        api = ""
        m = re.search(r"/v(\d{4})(\d{2})(\d{2})(preview)?$", module)
        if m:
            api = "%s-%s-%s%s" % (m.group(1), m.group(2), m.group(3), "-preview" if m.group(4) else "")
        else:
            m = API_VERSION.search(src)
            if m:
                api = m.group(1)
        table[t] = (api, paths)

    with open(output, "w") as f:
        w = f.write
        w("// Code generated by tools/cloudrules/gen_azure_native.py from @pulumi/azure-native %s; DO NOT EDIT.\n" % VERSION)
        w("// Regenerate with `make cloud-rules-azure`.\n\n")
        w("package cloudrules\n\n")
        w("// AzureNativeVersion is the @pulumi/azure-native package the table below was read from.\n")
        w('const AzureNativeVersion = "%s"\n\n' % VERSION)
        w("// AzureNativeInputs are, per azure-native token that provider/azure registers or\n")
        w("// invokes by token, its Azure REST API version and the input property names at\n")
        w('// each path ("" for the top level, "properties.model", "logs[]" for the elements\n')
        w("// of an array), as the published SDK declares them.\n")
        w("var AzureNativeInputs = map[string]AzureNativeType{\n")
        for t in sorted(table):
            api, paths = table[t]
            w("\t%s: {APIVersion: %s, Inputs: map[string][]string{\n" % (go_str(t), go_str(api)))
            for p in sorted(paths):
                w("\t\t%s: {%s},\n" % (go_str(p), ", ".join(go_str(x) for x in paths[p])))
            w("\t}},\n")
        w("}\n")


def go_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
