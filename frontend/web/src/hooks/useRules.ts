import { useQuery } from "@tanstack/react-query";
import { api } from "../api";
import { keys } from "../queryKeys";

/** The game's rules as the operator set them today (GET /api/v1/rules): they change rarely, so
 * one answer serves every screen for a few minutes. */
export function useRules() {
  return useQuery({ queryKey: keys.rules(), queryFn: api.rules, staleTime: 5 * 60_000 });
}
