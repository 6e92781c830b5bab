import { leaf } from './xmlText.js';

/** The routing block of a result: from the platform to the sender. */
export interface ResultRouting {
  from: { partyId: string; description?: string };
  fromVac: { routingId: string; description?: string };
  to: { partyId: string; description?: string };
  toVac: { routingId: string; description?: string };
}

/** Who the platform says it is in the results it writes (as in the samples). */
export const PLATFORM_PARTY = {
  partyId: '0000000000',
  routingId: '0000000000',
  description: '財政部電子發票整合服務平台',
} as const;

/** `<RoutingInfo>` at `indent`, its blocks two spaces deeper. */
export function routingXml(routing: ResultRouting, indent: string): string {
  const inner = `${indent}  `;
  const block = (name: string, idName: string, id: string, description: string | undefined) => {
    const described = description ? leaf(`${inner}  `, 'Description', description) : '';
    return `${inner}<${name}>\n${leaf(`${inner}  `, idName, id)}${described}${inner}</${name}>\n`;
  };
  return (
    `${indent}<RoutingInfo>\n` +
    block('From', 'PartyId', routing.from.partyId, routing.from.description) +
    block('FromVAC', 'RoutingId', routing.fromVac.routingId, routing.fromVac.description) +
    block('To', 'PartyId', routing.to.partyId, routing.to.description) +
    block('ToVAC', 'RoutingId', routing.toVac.routingId, routing.toVac.description) +
    `${indent}</RoutingInfo>\n`
  );
}
