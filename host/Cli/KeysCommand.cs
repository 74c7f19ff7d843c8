namespace LoE.Host.Cli;

/// <summary><c>loe keys</c>: the key reference generated from the configuration sections.</summary>
public static class KeysCommand
{
    public static int Execute(KeysOptions options, TextWriter output)
    {
        output.Write(options.Markdown ? KeyReference.Markdown() : options.Yaml ? KeyReference.Yaml() : KeyReference.Plain());
        return 0;
    }
}
