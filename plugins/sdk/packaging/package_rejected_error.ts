/** Raised by pack() and inspectPackage(); `problems` lists every reason, each naming its file or field. */
export class PackageRejectedError extends Error {
  override name = 'PackageRejectedError'
  readonly problems: string[]

  constructor(subject: string, problems: string[]) {
    super(`${subject} rejected:\n  - ${problems.join('\n  - ')}`)
    this.problems = problems
  }
}
