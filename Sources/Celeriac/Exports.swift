/// JSON values are part of Celeriac's API (task arguments, results, headers).
@_exported public import JSONCore
