using System.CommandLine;

namespace Shoal.Cli.Commands;

/// <summary>
/// <c>shoal completion bash|zsh|fish</c>: a script that asks <c>shoal</c> itself what may come next (System.CommandLine's
/// <c>[suggest:POSITION]</c> directive), so it always knows every command and option of the installed version.
/// </summary>
internal static class CompletionCommand
{
    private const string Bash = """
        # shoal completion for bash. Load it now:  source <(shoal completion bash)
        # or for every shell:  shoal completion bash > ~/.local/share/bash-completion/completions/shoal
        _shoal_complete() {
            local line="${COMP_LINE:0:COMP_POINT}" cur="${COMP_WORDS[COMP_CWORD]}" IFS=$'\n'
            COMPREPLY=($(compgen -W "$(shoal "[suggest:${#line}]" "$line" 2>/dev/null)" -- "$cur"))
        }
        complete -o default -F _shoal_complete shoal

        """;

    private const string Zsh = """
        #compdef shoal
        # shoal completion for zsh. Load it now:  source <(shoal completion zsh)
        # or for every shell:  shoal completion zsh > "${fpath[1]}/_shoal"
        _shoal() {
            local line="${BUFFER[1,$CURSOR]}"
            local -a candidates
            candidates=("${(@f)$(shoal "[suggest:${#line}]" "$line" 2>/dev/null)}")
            compadd -- "${candidates[@]}"
        }
        if [[ "${zsh_eval_context[-1]}" == loadautofunc ]]; then
            _shoal "$@"
        else
            compdef _shoal shoal
        fi

        """;

    private const string Fish = """
        # shoal completion for fish. Load it now:  shoal completion fish | source
        # or for every shell:  shoal completion fish > ~/.config/fish/completions/shoal.fish
        function __shoal_complete
            set -l line (commandline -cp)
            shoal "[suggest:"(string length -- "$line")"]" "$line" 2>/dev/null
        end
        complete -c shoal -f -a '(__shoal_complete)'

        """;

    public static Command Build()
    {
        var shell = new Argument<string>("shell") { Description = "bash, zsh or fish" };
        shell.AcceptOnlyFromAmong("bash", "zsh", "fish");
        var command = new Command("completion", "Print a shell completion script for bash, zsh or fish (source it, or save it where the shell loads completions)") { shell };
        command.SetAction(result =>
        {
            Console.Out.Write(result.GetValue(shell) switch
            {
                "bash" => Bash,
                "zsh" => Zsh,
                _ => Fish,
            });
            return 0;
        });
        return command;
    }
}
