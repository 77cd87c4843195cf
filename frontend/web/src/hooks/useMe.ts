import { useQuery, useQueryClient } from "@tanstack/react-query";
import { api, type Me } from "../api";
import { keys } from "../queryKeys";

export function useMe() {
  return useQuery({ queryKey: keys.me(), queryFn: api.me });
}

/** Put a balance the server just told us about on screen at once, then refresh the profile. */
export function useBalanceUpdate() {
  const client = useQueryClient();
  return (balance: number | null | undefined) => {
    if (typeof balance === "number") {
      client.setQueryData<Me>(keys.me(), (old) => (old ? { ...old, balance } : old));
    }
    void client.invalidateQueries({ queryKey: keys.me() });
  };
}
