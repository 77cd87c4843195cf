import { useQuery, useQueryClient } from "@tanstack/react-query";
import { api, type Me } from "../api";

export const ME_KEY = ["me"] as const;

export function useMe() {
  return useQuery({ queryKey: ME_KEY, queryFn: api.me });
}

/** Put a balance the server just told us about on screen at once, then refresh the profile. */
export function useBalanceUpdate() {
  const client = useQueryClient();
  return (balance: number | null | undefined) => {
    if (typeof balance === "number") {
      client.setQueryData<Me>(ME_KEY, (old) => (old ? { ...old, balance } : old));
    }
    void client.invalidateQueries({ queryKey: ME_KEY });
  };
}
