import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../api";
import { keys } from "../queryKeys";

/** Link a TON wallet: a one-time ton_proof payload, then the signed proof for the server to
 * verify; the profile shows the address once it is saved. */
export function useTonLinkMutations() {
  const queryClient = useQueryClient();
  const payload = useMutation({ mutationFn: () => api.tonPayload() });
  const verify = useMutation({
    mutationFn: (body: unknown) => api.tonVerify(body),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.me() }),
  });
  return { payload, verify };
}

/** Unlink the TON wallet; the profile is read again whatever the answer. */
export function useTonUnlinkMutation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => api.tonUnlink(),
    onSettled: () => queryClient.invalidateQueries({ queryKey: keys.me() }),
  });
}
