// The paid resource. The proxy in front of it only lets paid requests through.
export function GET() {
  return Response.json({ joke: 'Why did the validator stake VARA? To earn some interest in the chain.' });
}
