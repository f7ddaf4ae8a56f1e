/** Draws one mutation of a source archive from every kind, by weight. */
import type { FuzzSource } from './build-fuzz-world.ts';
import { BYTE_MUTATIONS } from './byte-mutations.ts';
import { GZIP_MUTATIONS } from './gzip-mutations.ts';
import { META_MUTATIONS } from './meta-mutations.ts';
import type { Mutation, MutationKind } from './mutation-kind.ts';
import type { Prng } from './prng.ts';
import { TAR_HEADER_MUTATIONS } from './tar-header-mutations.ts';
import { TAR_MEMBER_MUTATIONS } from './tar-member-mutations.ts';

export const MUTATION_KINDS: MutationKind[] = [
  ...BYTE_MUTATIONS,
  ...GZIP_MUTATIONS,
  ...TAR_HEADER_MUTATIONS,
  ...TAR_MEMBER_MUTATIONS,
  ...META_MUTATIONS,
];

/** One mutation of `source`, its kind's name first in the description. */
export async function mutateArchive(source: FuzzSource, prng: Prng): Promise<Mutation & { kind: string }> {
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const kind = prng.weighted(MUTATION_KINDS.map((k) => [k, k.weight] as const));
    const mutation = await kind.apply(source, prng);
    if (mutation !== undefined) return { ...mutation, kind: kind.name, description: `[${kind.name}] ${mutation.description}` };
  }
  throw new Error(`no mutation applies to ${source.label}`);
}
