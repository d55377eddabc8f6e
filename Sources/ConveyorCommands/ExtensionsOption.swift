import ArgumentParser

/// `--extensions FILE`, for the commands that load a workspace for running or checking it.
struct ExtensionsOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "An <extensions environment=\"…\"> file applied over the components.",
        discussion: "Its settings replace the same-named settings of connections and operations, and its "
            + "<property> elements replace process property values; anything else is an error.",
        valueName: "file"))
    var extensions: String?
}
